// A stack of another repo: its own app (./app, any Node app with a Dockerfile) behind Portico on the
// local Docker engine. It imports only the package's public entry point.
import * as pulumi from '@pulumi/pulumi';
import { WebStack } from 'portico';

const config = new pulumi.Config();

const stack = new WebStack('shop', {
  app: {
    build: { context: 'app' },
    port: 8000,
    healthPath: '/ready',
    env: { GREETING: config.get('greeting') ?? 'Hello from my own app' },
    // Kept encrypted in the stack state; set with `pulumi config set --secret apiKey <value>`.
    secretEnv: { API_KEY: config.requireSecret('apiKey') },
  },
  instances: config.getNumber('instances') ?? 2,
  httpPort: 8090,
  adminPort: 9911,
  hostnames: ['localhost', 'shop.localhost'],
  healthCheckInterval: '1s',
});

export const urls = stack.urls;
export const appAddresses = stack.appAddresses;
export const dashboardUrl = stack.dashboardUrl;
