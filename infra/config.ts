// Typed stack config: `pulumi config` values -> WebStack args. The keys and defaults mirror the
// `config:` section of Pulumi.yaml (a unit test keeps the two equal): the CLI applies the YAML
// defaults, while mocks and other callers of this module get the same values from here.
import * as pulumi from '@pulumi/pulumi';
import type { BalanceMethodName } from '../proxy/src/config/schema';
import { STACK_BALANCE_METHODS, TARGETS, type StackArgs, type TargetName } from './plan';
import { AWS_CONFIG_DEFAULTS } from './targets/aws/config';

export interface StackConfig {
  /** `${project}-${stack}`, made a valid Docker name: the prefix of every resource name. */
  stackName: string;
  target: TargetName;
  /** Absent: one instance per CPU of the machine the apps run on. */
  instances?: number;
  appPort: number;
  httpPort: number;
  httpsPort: number;
  publishHost: string;
  hostnames: string[];
  balance: BalanceMethodName;
  baseImage: string;
  buildNetwork: string;
  /** false, or the sticky cookie's options (from `sticky` and `stickyCookie`). */
  sticky: NonNullable<StackArgs['sticky']>;
  /** false, or the readiness check's options (from `healthCheck`, `healthCheckPath`, `healthCheckInterval`). */
  healthCheck: NonNullable<StackArgs['healthCheck']>;
  adminPort: number;
}

export const CONFIG_DEFAULTS = {
  target: 'docker',
  /** 0 means "size to the Docker host's CPUs": Pulumi config has no optional-without-default. */
  instances: 0,
  appPort: 3000,
  httpPort: 8080,
  httpsPort: 8443,
  publishHost: '127.0.0.1',
  hostnames: ['localhost'],
  balance: 'round-robin',
  baseImage: 'node:24-slim',
  buildNetwork: 'default',
  sticky: true,
  stickyCookie: 'portico_server',
  healthCheck: true,
  healthCheckPath: '/readyz',
  healthCheckInterval: '2s',
  adminPort: 9901,
  // The aws target's keys (infra/targets/aws/config.ts reads them).
  ...AWS_CONFIG_DEFAULTS,
} as const;

export function readStackConfig(config: pulumi.Config = new pulumi.Config()): StackConfig {
  const d = CONFIG_DEFAULTS;
  const instances = config.getNumber('instances') ?? d.instances;
  return {
    stackName: defaultStackName(pulumi.getProject(), pulumi.getStack()),
    target: config.get('target', { allowedValues: [...TARGETS] }) ?? d.target,
    ...(instances !== 0 && { instances }),
    appPort: config.getNumber('appPort') ?? d.appPort,
    httpPort: config.getNumber('httpPort') ?? d.httpPort,
    httpsPort: config.getNumber('httpsPort') ?? d.httpsPort,
    publishHost: config.get('publishHost') ?? d.publishHost,
    hostnames: config.getObject<string[]>('hostnames') ?? [...d.hostnames],
    balance: config.get('balance', { allowedValues: [...STACK_BALANCE_METHODS] }) ?? d.balance,
    baseImage: config.get('baseImage') ?? d.baseImage,
    buildNetwork: config.get('buildNetwork') ?? d.buildNetwork,
    // Pulumi config has no union types: a switch plus one key per option, folded into the plan's args.
    sticky: (config.getBoolean('sticky') ?? d.sticky) && { cookieName: config.get('stickyCookie') ?? d.stickyCookie },
    healthCheck: (config.getBoolean('healthCheck') ?? d.healthCheck) && {
      path: config.get('healthCheckPath') ?? d.healthCheckPath,
      interval: config.get('healthCheckInterval') ?? d.healthCheckInterval,
    },
    adminPort: config.getNumber('adminPort') ?? d.adminPort,
  };
}

/** `portico` + `dev` -> `portico-dev`; Pulumi allows stack names (dots, capitals) that Docker names do not. */
export function defaultStackName(project: string, stack: string): string {
  const name = `${project}-${stack}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return name.slice(0, 40).replace(/-+$/, '');
}
