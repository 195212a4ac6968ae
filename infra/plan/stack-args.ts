// What a stack is made of, as plain typed values: the input of planStack. Defaults live here as
// named constants (STYLE 9) so the Pulumi program, the local runner and the docs agree.
import type { BalanceMethodName } from '../../proxy/src/config/schema';

export type TargetName = 'local' | 'docker' | 'aws';

export const TARGETS: readonly TargetName[] = ['local', 'docker', 'aws'];

export interface StackArgs {
  /** Prefix of every name (containers, network, certificates): lowercase letters, digits, dashes. */
  stackName: string;
  target: TargetName;
  /** An explicit number of app instances; wins over `cores`. */
  instances?: number;
  /** Cores of the machine the apps run on; one instance per core when `instances` is absent. */
  cores?: number;
  /** docker: the port inside each app container. local: the base port, instance i (from 0) listens on appPort + i. */
  appPort?: number;
  /** The proxy's HTTP port: local, the port it listens on; docker, the host port it is published on. */
  httpPort?: number;
  /** The proxy's HTTPS port, reserved for the TLS listener (not published until the proxy serves TLS). */
  httpsPort?: number;
  /** docker: the host address the proxy's ports are published on. */
  publishHost?: string;
  /** Names the stack answers to: URLs and the certificate. `*.localhost` needs no DNS. */
  hostnames?: string[];
  /** The proxy's balancing method; absent means the proxy's default (round-robin). */
  balance?: BalanceMethodName;
}

export const DEFAULT_APP_PORT = { docker: 3000, local: 3001 } as const;
export const DEFAULT_HTTP_PORT = 8080;
export const DEFAULT_HTTPS_PORT = 8443;
export const DEFAULT_PUBLISH_HOST = '127.0.0.1';
export const DEFAULT_HOSTNAMES: readonly string[] = ['localhost'];

/** Where the proxy container reads its config (the image's PORTICO_CONFIG default). */
export const PROXY_CONFIG_PATH = '/etc/portico/config.json';
/** The proxy's HTTP port inside its container; the host port is `httpPort`. */
export const PROXY_CONTAINER_HTTP_PORT = 8080;

/** `hash` needs a hash key that stack args cannot carry yet, so it is left out on purpose. */
export const STACK_BALANCE_METHODS: readonly BalanceMethodName[] = ['round-robin', 'least-conn', 'ip-hash', 'random-two'];
