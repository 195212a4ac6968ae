// The Pulumi program (Pulumi.yaml `main`): stack config -> a WebStack on the configured target.
// `pulumi up` on a machine with a Docker engine; see infra/README.md.
import * as pulumi from '@pulumi/pulumi';
import { sizeToCores } from '../proxy/src/cores';
import { WebStack } from './components/web-stack';
import { readStackConfig } from './config';
import { requirePulumiTarget } from './targets';
import { dockerHostCpus } from './targets/docker/host-cpus';

const config = readStackConfig();
requirePulumiTarget(config.target);

const stack = new WebStack(config.stackName, {
  target: config.target,
  // An explicit count wins; else the Docker host's CPUs (the plan applies the same rule as the proxy).
  ...(config.instances !== undefined ? { instances: config.instances } : { cores: engineCores() }),
  appPort: config.appPort,
  httpPort: config.httpPort,
  httpsPort: config.httpsPort,
  publishHost: config.publishHost,
  hostnames: config.hostnames,
  balance: config.balance,
  sticky: config.sticky,
  healthCheck: config.healthCheck,
  adminPort: config.adminPort,
  build: { baseImage: config.baseImage, network: config.buildNetwork },
});

/** The Docker engine's CPUs; this machine's when the engine cannot be asked (e.g. a preview without Docker). */
function engineCores(): number {
  const cpus = dockerHostCpus();
  if (cpus !== null) return cpus;
  const local = sizeToCores();
  void pulumi.log.warn(`cannot ask the Docker engine for its CPUs (docker info); sizing to this machine's ${local}`);
  return local;
}

/** http://<hostname>:<httpPort>/ for each configured hostname. */
export const urls = stack.urls;
/** Where the proxy is published on the Docker host (works even if no hostname resolves). */
export const proxyUrl = stack.proxyUrl;
/** The app containers the proxy balances over (name:port on the stack network). */
export const appAddresses = stack.appAddresses;
export const instanceCount = stack.plan.apps.length;
export const networkName = stack.networkName;
/** The proxy's config file, as uploaded to its container. */
export const proxyConfig = stack.proxyConfig;
/** The admin dashboard (127.0.0.1 only) with its token: `pulumi stack output --show-secrets dashboardUrl`. */
export const dashboardUrl = stack.dashboardUrl;
/** The local CA that signed the stack's certificate: trust it to trust https once TLS lands. */
export const caCertPem = stack.caCertPem;
