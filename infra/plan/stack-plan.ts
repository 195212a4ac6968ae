// What a stack is, decided: the output of planStack, and the input of every target
// (the docker target and the system test through dockerContainers, the local runner directly).
import type { ProxyConfig } from '../../proxy/src/config/schema';
import type { TargetName } from './stack-args';

export interface StackPlan {
  stackName: string;
  target: TargetName;
  apps: AppInstancePlan[];
  proxy: ProxyPlan;
  /**
   * docker: the internal network of the app containers (no route out, nothing published); the
   * proxy joins it too, so the apps' names resolve for the proxy and nobody else.
   */
  network?: string;
  /** docker: the network the proxy is published on; only the proxy joins it. */
  edgeNetwork?: string;
  /** aws: how many app VMs; app `vm` field says which one runs an instance. */
  appVms?: number;
  certificates: CertificatePlan[];
  /** DNS records wanted; none for local and docker (`*.localhost` resolves without DNS). */
  dns: DnsRecordPlan[];
  /** Where users reach the stack: one HTTP URL per hostname, through the proxy. */
  urls: string[];
  /** The same over HTTPS (h2 and HTTP/1.1); empty when the stack serves no HTTPS (a local plan without tlsFiles). */
  httpsUrls: string[];
}

export interface AppInstancePlan {
  /** 0-based position; locally the instance listens on appPort + index. */
  index: number;
  /** Stable id (`app-1`): the proxy's server id, so sticky sessions survive address changes. */
  id: string;
  /** `${stackName}-app-1`: the container name, or the process label locally. */
  name: string;
  /** The address the proxy dials: 127.0.0.1 locally, the container name in docker. */
  host: string;
  port: number;
  /** The readiness path the container's health check and the proxy's active check ask. */
  healthPath: string;
  /** `${host}:${port}`, as it appears in the proxy's upstream. */
  address: string;
  /** aws: the 0-based app VM the instance runs on; `host` is that VM's name until bindVmAddresses. */
  vm?: number;
  env: AppEnv;
}

/** The app's whole interface to its runner: the sample app (and any user's app) reads these. */
export interface AppEnv {
  PORT: string;
  /** The address the app binds: 127.0.0.1 locally, 0.0.0.0 in a container. */
  HOST: string;
  INSTANCE_ID: string;
  /**
   * How long a stopping instance keeps serving while its /readyz says 503, so the proxy's health
   * check sees it leave before it closes (one check interval and a second). Containers only: a
   * local Ctrl-C stops the whole stack at once.
   */
  SHUTDOWN_DELAY_MS?: string;
}

export interface ProxyPlan {
  name: string;
  /** Where the proxy reads `config` (docker: inside its container; local runners may write it anywhere). */
  configPath: string;
  config: ProxyConfig;
  /** The port the proxy listens on (inside its container for docker). */
  listenPort: number;
  /** The HTTPS listener's port (inside its container for docker); null when it has none. */
  httpsListenPort: number | null;
  /** Where the HTTPS listener's certificate comes from; null when it has none. */
  tls: ProxyTlsPlan | null;
  /** docker: host address and ports the proxy is published on; local: where it listens. */
  publish: { host: string; http: number; https: number };
  admin: AdminPlan;
  /**
   * Secrets the proxy reads from its environment, never from `config`: the target makes each value
   * (local: random bytes per run; docker: a Pulumi RandomPassword, kept as a secret in the state).
   */
  secretEnv: SecretEnvPlan[];
}

/**
 * `files`: files the proxy reads where it runs (local). `upload`: the stack's certificate (its own
 * CA), uploaded by the target at these container paths. `acme`: obtained by the proxy itself,
 * kept in `storage` (a volume).
 */
export type ProxyTlsPlan = { source: 'files' | 'upload'; cert: string; key: string } | { source: 'acme'; storage: string };

/** The proxy's admin listener: status JSON, Prometheus metrics, the live dashboard. */
export interface AdminPlan {
  /** The port it listens on (inside the container for docker). */
  listenPort: number;
  /** Where a user on the host reaches it: always loopback. */
  publish: { host: string; port: number };
  /** The dashboard, e.g. http://127.0.0.1:9901/ (docker: open it with `#token=<token>` appended). */
  url: string;
  /** The env var holding the bearer token the listener requires; absent when none is needed (local). */
  tokenEnv?: string;
}

export interface SecretEnvPlan {
  /** The variable, e.g. PORTICO_STICKY_KEY. */
  env: string;
  /** Short name of the secret, used to name the resource that makes it (`sticky-key`). */
  name: string;
  /** What it is, for docs and errors. */
  description: string;
}

export interface CertificatePlan {
  name: string;
  hostnames: string[];
}

export interface DnsRecordPlan {
  name: string;
  type: 'A' | 'AAAA' | 'CNAME';
  value: string;
}
