// What a stack is made of, as plain typed values: the input of planStack. Defaults live here as
// named constants (STYLE 9) so the Pulumi program, the local runner and the docs agree.
import type { BalanceMethodName } from '../../proxy/src/config/schema';

export type TargetName = 'local' | 'docker' | 'aws';

export const TARGETS: readonly TargetName[] = ['local', 'docker', 'aws'];

export interface StackArgs {
  /** Prefix of every name (containers, network, certificates): lowercase letters, digits, dashes. */
  stackName: string;
  target: TargetName;
  /** An explicit number of app instances (aws: on each app VM); wins over `cores`. */
  instances?: number;
  /** Cores of the machine the apps run on (aws: vCPUs of one app VM); one instance per core when `instances` is absent. */
  cores?: number;
  /** aws: how many app VMs; each runs the instances `instances` / `cores` decide, on appPort, appPort + 1, … Default 1. */
  appVms?: number;
  /** docker: the port inside each app container. local: the base port, instance i (from 0) listens on appPort + i. */
  appPort?: number;
  /** The app's readiness path: the containers' health check and the default of `healthCheck.path`. */
  appHealthPath?: string;
  /** The proxy's HTTP port: local, the port it listens on; docker, the host port it is published on. */
  httpPort?: number;
  /** The proxy's HTTPS port (TLS, h2 and HTTP/1.1): local, the port it listens on; docker, the host port it is published on. */
  httpsPort?: number;
  /**
   * local only: the certificate and key files (absolute paths, PEM) of the HTTPS listener, e.g.
   * npm start's local CA's localhost certificate. Absent: a local stack serves plain HTTP only.
   * docker: the target uploads the stack's certificate into the proxy container instead.
   */
  tlsFiles?: { cert: string; key: string };
  /**
   * docker only (aws terminates TLS by its own options): certificates from an ACME CA (Let's Encrypt by default) for stacks with
   * public names, instead of the stack's own CA. Every hostname must be a public DNS name (no
   * wildcard: HTTP-01 cannot prove one) whose DNS points at the host, whose port 80 reaches httpPort.
   * `true`: the defaults; `{ email, directory }`: the account's contact and another CA's directory URL.
   */
  acme?: boolean | { email?: string; directory?: string };
  /** docker: the host address the proxy's ports are published on. */
  publishHost?: string;
  /** Names the stack answers to: URLs and the certificate. `*.localhost` needs no DNS. */
  hostnames?: string[];
  /** The proxy's balancing method; absent means the proxy's default (round-robin). */
  balance?: BalanceMethodName;
  /**
   * Session persistence for the app upstream: a sticky cookie naming the instance (default on,
   * cookie `portico_server`). `false` turns it off; `{ cookieName }` renames the cookie.
   */
  sticky?: boolean | { cookieName?: string };
  /**
   * Active health check of every app instance (default on: GET /readyz every 2s, mandatory, so a
   * new or restarted instance gets traffic once ready and a draining one gets no new clients).
   * `false` turns it off; `{ path, interval }` changes them (interval: "500ms", "2s", "1m").
   */
  healthCheck?: boolean | { path?: string; interval?: string };
  /**
   * The proxy's admin listener (status JSON, metrics, dashboard). local: the port it listens on
   * at 127.0.0.1. docker: the host port it is published on, at 127.0.0.1 only, whatever publishHost.
   */
  adminPort?: number;
  /**
   * local only: the app's public/ folder (an absolute path), served by the proxy itself. Absent:
   * the proxy caches the app's asset paths instead (a container proxy cannot read the app's files).
   */
  appPublicDir?: string;
}

export const DEFAULT_APP_PORT = { docker: 3000, local: 3001 } as const;
/**
 * Instances when a stack gives neither a count nor cores: a fixed number, so that a preview plans
 * the same stack on any machine (sizing from a Docker engine is asked for explicitly).
 */
export const DEFAULT_INSTANCES = 2;
export const DEFAULT_HTTP_PORT = 8080;
export const DEFAULT_HTTPS_PORT = 8443;
export const DEFAULT_PUBLISH_HOST = '127.0.0.1';
/** aws: one app VM unless the stack asks for more. */
export const DEFAULT_APP_VMS = 1;
/** aws: the proxy VM publishes the standard ports, whatever httpPort / httpsPort say (they are docker's host ports). */
export const AWS_PUBLISH = { host: '0.0.0.0', http: 80, https: 443 } as const;
export const DEFAULT_HOSTNAMES: readonly string[] = ['localhost'];
/** Envoy's admin port, the proxy's own default (proxy/src/config/defaults.ts). */
export const DEFAULT_ADMIN_PORT = 9901;

/** The app upstream's sticky cookie when stack args do not rename it (the proxy's own default name). */
export const DEFAULT_STICKY_COOKIE = 'portico_server';
/**
 * The app's readiness probe (app-sample/src/health-routes.ts), checked every 2s: a restarted
 * instance is back in traffic within 2s, a shutting-down one (503) leaves it within 2s.
 */
export const DEFAULT_HEALTH_CHECK = { path: '/readyz', interval: '2s' } as const;

/** Where the proxy container reads its certificate and key (uploaded; the key is 0640 root:root). */
export const PROXY_TLS_PATHS = { cert: '/etc/portico/tls/cert.pem', key: '/etc/portico/tls/key.pem' } as const;
/**
 * The proxy container's ACME storage (account key, certificates, keys): a named volume, so that a
 * replaced container keeps its certificates instead of asking the CA again (its rate limits).
 */
export const PROXY_ACME_STORAGE = '/var/lib/portico/acme';
/** The proxy's HTTPS port inside its container; the host port is `httpsPort`. */
export const PROXY_CONTAINER_HTTPS_PORT = 8443;
/** Where the proxy container reads its config (the image's PORTICO_CONFIG default). */
export const PROXY_CONFIG_PATH = '/etc/portico/config.json';
/** The proxy's HTTP port inside its container; the host port is `httpPort`. */
export const PROXY_CONTAINER_HTTP_PORT = 8080;
/** The proxy's admin port inside its container; the host port is `adminPort`. */
export const PROXY_CONTAINER_ADMIN_PORT = 9901;
/** Host address the admin port is published on: loopback only, never publishHost. */
export const ADMIN_PUBLISH_HOST = '127.0.0.1';

/** Env vars through which a target hands the proxy its secrets (read by proxy/src/config/secrets.ts). */
export const SECRET_ENV = { stickyKey: 'PORTICO_STICKY_KEY', adminToken: 'PORTICO_ADMIN_TOKEN' } as const;

/** `hash` needs a hash key that stack args cannot carry yet, so it is left out on purpose. */
export const STACK_BALANCE_METHODS: readonly BalanceMethodName[] = ['round-robin', 'least-conn', 'ip-hash', 'random-two'];
