// Typed stack config: `pulumi config` values -> WebStack args. The keys and defaults mirror the
// `config:` section of Pulumi.yaml (a unit test keeps the two equal): the CLI applies the YAML
// defaults, while mocks and other callers of this module get the same values from here.
import * as pulumi from '@pulumi/pulumi';
import type { BalanceMethodName } from '../proxy/src/config/schema';
import { STACK_BALANCE_METHODS, TARGETS, type TargetName } from './plan';
import { AWS_CONFIG_DEFAULTS } from './targets/aws/config';

export interface StackConfig {
  /** `${project}-${stack}`, made a valid Docker name: the prefix of every resource name. */
  stackName: string;
  target: TargetName;
  /** App instances; absent when `sizeToEngine` asks the Docker engine instead. */
  instances?: number;
  /** docker: one instance per CPU of the Docker engine, asked at each run (a preview then depends on the engine). */
  sizeToEngine: boolean;
  appPort: number;
  httpPort: number;
  httpsPort: number;
  publishHost: string;
  hostnames: string[];
  balance: BalanceMethodName;
  baseImage: string;
  buildNetwork: string;
  sticky: boolean;
  /** From the `stickyCookie` key. */
  stickyCookieName: string;
  healthCheck: boolean;
  /** The sample app's readiness path: its containers' health check and the proxy's check. */
  healthCheckPath: string;
  healthCheckInterval: string;
  adminPort: number;
  /** Certificates by ACME for public hostnames; `acmeEmail` / `acmeDirectory` absent when empty. */
  acme: boolean;
  acmeEmail?: string;
  acmeDirectory?: string;
}

export const CONFIG_DEFAULTS = {
  target: 'docker',
  /** A fixed count, so a preview plans the same stack on every machine. */
  instances: 2,
  sizeToEngine: false,
  appPort: 3000,
  httpPort: 8080,
  httpsPort: 8443,
  publishHost: '127.0.0.1',
  hostnames: ['localhost'],
  balance: 'round-robin',
  baseImage: 'node:22-slim',
  buildNetwork: 'default',
  sticky: true,
  stickyCookie: 'portico_server',
  healthCheck: true,
  healthCheckPath: '/readyz',
  healthCheckInterval: '2s',
  adminPort: 9901,
  acme: false,
  acmeEmail: '',
  acmeDirectory: '',
  // The aws target's keys (infra/targets/aws/config.ts reads them).
  ...AWS_CONFIG_DEFAULTS,
} as const;

export function readStackConfig(config: pulumi.Config = new pulumi.Config()): StackConfig {
  const d = CONFIG_DEFAULTS;
  const sizeToEngine = config.getBoolean('sizeToEngine') ?? d.sizeToEngine;
  return {
    stackName: defaultStackName(pulumi.getProject(), pulumi.getStack()),
    target: config.get('target', { allowedValues: [...TARGETS] }) ?? d.target,
    ...(!sizeToEngine && { instances: config.getNumber('instances') ?? d.instances }),
    sizeToEngine,
    appPort: config.getNumber('appPort') ?? d.appPort,
    httpPort: config.getNumber('httpPort') ?? d.httpPort,
    httpsPort: config.getNumber('httpsPort') ?? d.httpsPort,
    publishHost: config.get('publishHost') ?? d.publishHost,
    hostnames: config.getObject<string[]>('hostnames') ?? [...d.hostnames],
    balance: config.get('balance', { allowedValues: [...STACK_BALANCE_METHODS] }) ?? d.balance,
    baseImage: config.get('baseImage') ?? d.baseImage,
    buildNetwork: config.get('buildNetwork') ?? d.buildNetwork,
    // A switch plus one key per option, as the components' args have them.
    sticky: config.getBoolean('sticky') ?? d.sticky,
    stickyCookieName: config.get('stickyCookie') ?? d.stickyCookie,
    healthCheck: config.getBoolean('healthCheck') ?? d.healthCheck,
    healthCheckPath: config.get('healthCheckPath') ?? d.healthCheckPath,
    healthCheckInterval: config.get('healthCheckInterval') ?? d.healthCheckInterval,
    adminPort: config.getNumber('adminPort') ?? d.adminPort,
    acme: config.getBoolean('acme') ?? d.acme,
    ...nonEmpty('acmeEmail', config.get('acmeEmail')),
    ...nonEmpty('acmeDirectory', config.get('acmeDirectory')),
  };
}

/** `portico` + `dev` -> `portico-dev`; Pulumi allows stack names (dots, capitals) that Docker names do not. */
export function defaultStackName(project: string, stack: string): string {
  const name = `${project}-${stack}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return name.slice(0, 40).replace(/-+$/, '');
}

/** An empty string in the YAML means "not set". */
function nonEmpty<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value ? ({ [key]: value } as Record<K, string>) : {};
}
