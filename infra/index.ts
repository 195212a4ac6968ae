// The Pulumi program (Pulumi.yaml `main`): stack config -> a WebStack on the configured target,
// running this repo's sample app (app-sample/). Another repo passes its own `app` the same way
// (examples/docker-own-app). `pulumi up` on a machine with a Docker engine (target docker) or with
// AWS credentials (target aws: Pulumi.aws-example.yaml); see infra/README.md.
import path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { WebStack } from './components/web-stack';
import { readStackConfig, type StackConfig } from './config';
import { requirePulumiTarget } from './targets';
import { readAwsConfig } from './targets/aws/config';
import { PACKAGE_ROOT } from './targets/docker';

const config = readStackConfig();
const target = requirePulumiTarget(config.target);

/** The repo root, relative to the project folder `pulumi up` runs in: the state holds no checkout path. */
const repo = path.relative(process.cwd(), PACKAGE_ROOT) || '.';

const stack = new WebStack(config.stackName, {
  target,
  ...sizing(config),
  app: {
    build: {
      context: repo,
      dockerfile: 'app-sample/Dockerfile',
      args: { NODE_IMAGE: config.baseImage },
      network: config.buildNetwork,
    },
    port: config.appPort,
    healthPath: config.healthCheckPath,
  },
  proxy: { baseImage: config.baseImage, buildNetwork: config.buildNetwork },
  httpPort: config.httpPort,
  httpsPort: config.httpsPort,
  publishHost: config.publishHost,
  hostnames: config.hostnames,
  balance: config.balance,
  sticky: config.sticky,
  stickyCookieName: config.stickyCookieName,
  healthCheck: config.healthCheck,
  healthCheckInterval: config.healthCheckInterval,
  adminPort: config.adminPort,
  acme: config.acme,
  acmeEmail: config.acmeEmail,
  acmeDirectory: config.acmeDirectory,
  ...(target === 'aws' && { aws: readAwsConfig(new pulumi.Config()) }),
});

/** docker: `instances`, or the engine's CPUs. aws: `instances` per app VM, or (0) one per vCPU of awsAppInstanceType. */
function sizing(c: StackConfig): { sizeToEngine: true } | { instances?: number } {
  if (c.sizeToEngine) return { sizeToEngine: true };
  return target === 'aws' && !c.instances ? {} : { instances: c.instances };
}

/** One URL per configured hostname (docker: http://<hostname>:<httpPort>/; aws: https unless awsTls is off). */
export const urls = stack.urls;
/** https://<hostname>:<httpsPort>/ for each configured hostname (h2 and HTTP/1.1; aws: with TLS on, 443). */
export const httpsUrls = stack.httpsUrls;
/** Where the proxy is reached even if no hostname resolves: the Docker host's port, or the Elastic IP / load balancer. */
export const proxyUrl = stack.proxyUrl;
/** The app instances the proxy balances over (docker: name:port on the apps' network; aws: private IP:port). */
export const appAddresses = stack.appAddresses;
export const instanceCount = stack.instanceCount;
/** docker: the apps' internal network. aws: the VPC id. */
export const networkName = stack.networkName;
/** The proxy's config file, as the proxy runs it. */
export const proxyConfig = stack.proxyConfig;
/** The admin dashboard (127.0.0.1 only) with its token: `pulumi stack output --show-secrets dashboardUrl`. */
export const dashboardUrl = stack.dashboardUrl;
/** aws: run this first (SSM port forwarding to the proxy VM), then open dashboardUrl. */
export const dashboardCommand = stack.dashboardCommand;
/** aws: the app VMs' instance ids. */
export const appVmIds = stack.appVmIds;
/** docker: the local CA that signed the stack's certificate: trust it to trust httpsUrls ('' with acme, and on aws). */
export const caCertPem = stack.caCertPem;
