// The proxy's public settings, shared by WebStack and EdgeProxy: where it listens and how it treats
// the app upstream. Flat fields where the stack args have `boolean | { … }` (the analyzer takes no
// unions): `sticky` plus `stickyCookieName`, `healthCheck` plus `healthCheckPath` and `…Interval`.
import type * as pulumi from '@pulumi/pulumi';

/** The Portico proxy image: prebuilt, or built from this package's own proxy/Dockerfile. */
export interface ProxyImageArgs {
  /** A prebuilt Portico proxy image reference; conflicts with `baseImage` and `buildNetwork`. */
  readonly image?: pulumi.Input<string>;
  /** NODE_IMAGE build arg of the proxy's Dockerfile. Default: `node:22-slim`. */
  readonly baseImage?: pulumi.Input<string>;
  /** Network mode of the build's RUN steps (default, host or none). */
  readonly buildNetwork?: pulumi.Input<string>;
}

/** Where the proxy is reached. Plain values: they decide the proxy's config and published ports. */
export interface ProxyListenArgs {
  /** Names the stack answers to (URLs and certificate). Default: `["localhost"]`. */
  readonly hostnames?: string[];
  /** The HTTP port (docker: published on the host). Default: 8080. */
  readonly httpPort?: number;
  /** The HTTPS port (h2 and HTTP/1.1; docker: published on the host). Default: 8443. */
  readonly httpsPort?: number;
  /** docker: the host address the ports are published on. Default: `127.0.0.1`. */
  readonly publishHost?: string;
  /** The admin listener (dashboard, status, metrics), on loopback only, with a token. Default: 9901. */
  readonly adminPort?: number;
  /**
   * docker: certificates from an ACME CA (Let's Encrypt unless `acmeDirectory`) for stacks with
   * public names: every hostname's DNS points at the host and its port 80 reaches `httpPort`. Plain
   * HTTP then redirects to HTTPS, with HSTS. Default: false (the stack's own CA signs its
   * certificate). aws: refused; its TLS is `aws.tls` (ACME by default).
   */
  readonly acme?: boolean;
  /** The ACME account's contact email (expiry notices). */
  readonly acmeEmail?: string;
  /** Another ACME CA's directory URL, e.g. Let's Encrypt's staging one. */
  readonly acmeDirectory?: string;
}

/** How the proxy balances over the app instances. Plain values: they are the proxy's config. */
export interface UpstreamPolicyArgs {
  /** round-robin (default), least-conn, ip-hash or random-two. */
  readonly balance?: string;
  /** A sticky cookie naming the instance (sessions, Socket.IO long-polling). Default: true. */
  readonly sticky?: boolean;
  /** The sticky cookie's name. Default: `portico_server`. */
  readonly stickyCookieName?: string;
  /** Mandatory active check of every instance: traffic only once it passes. Default: true. */
  readonly healthCheck?: boolean;
  /** The checked path. Default: the app's `healthPath` (`/readyz`). */
  readonly healthCheckPath?: string;
  /** Time between two checks of one instance, 100ms to 5m. Default: `2s`. */
  readonly healthCheckInterval?: string;
}
