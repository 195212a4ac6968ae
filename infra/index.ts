// The Pulumi program (Pulumi.yaml `main`): stack config -> a WebStack on the configured target,
// running this repo's sample app (app-sample/). Another repo passes its own `app` the same way
// (examples/docker-own-app). `pulumi up` on a machine with a Docker engine; see infra/README.md.
import path from 'node:path';
import { WebStack } from './components/web-stack';
import { readStackConfig } from './config';
import { requirePulumiTarget } from './targets';
import { PACKAGE_ROOT } from './targets/docker';

const config = readStackConfig();
requirePulumiTarget(config.target);

/** The repo root, relative to the project folder `pulumi up` runs in: the state holds no checkout path. */
const repo = path.relative(process.cwd(), PACKAGE_ROOT) || '.';

const stack = new WebStack(config.stackName, {
  target: config.target,
  ...(config.sizeToEngine ? { sizeToEngine: true } : { instances: config.instances }),
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
});

/** http://<hostname>:<httpPort>/ for each configured hostname. */
export const urls = stack.urls;
/** https://<hostname>:<httpsPort>/ for each configured hostname (h2 and HTTP/1.1). */
export const httpsUrls = stack.httpsUrls;
/** Where the proxy is published on the Docker host (works even if no hostname resolves). */
export const proxyUrl = stack.proxyUrl;
/** The app containers the proxy balances over (name:port on the apps' internal network). */
export const appAddresses = stack.appAddresses;
export const instanceCount = stack.plan.apps.length;
export const networkName = stack.networkName;
/** The proxy's config file, as uploaded to its container. */
export const proxyConfig = stack.proxyConfig;
/** The admin dashboard (127.0.0.1 only) with its token: `pulumi stack output --show-secrets dashboardUrl`. */
export const dashboardUrl = stack.dashboardUrl;
/** The local CA that signed the stack's certificate: trust it to trust httpsUrls ('' with acme). */
export const caCertPem = stack.caCertPem;
