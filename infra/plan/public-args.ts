// The components' public args (infra/args) -> the plan's StackArgs: the flat fields the analyzer
// accepts folded back into the plan's `boolean | { … }` switches, and the app's port and path.
import type { AppArgs, ProxyListenArgs, SizingArgs, UpstreamPolicyArgs } from '../args';
import type { BalanceMethodName } from '../../proxy/src/config/schema';
import { DEFAULT_INSTANCES, type StackArgs, type TargetName } from './stack-args';

export interface PublicStackArgs extends SizingArgs, ProxyListenArgs, UpstreamPolicyArgs {
  readonly app?: Pick<AppArgs, 'port' | 'healthPath'>;
}

/**
 * `sizeToEngine` is the target's to answer (it knows the engine): pass its CPU count as
 * `engineCores`. With no count, no cores and no engine, the plan takes DEFAULT_INSTANCES.
 */
export function stackArgsOf(stackName: string, target: TargetName, args: PublicStackArgs, engineCores?: number): StackArgs {
  const cores = args.cores ?? engineCores;
  return {
    stackName,
    target,
    ...(args.instances !== undefined || cores !== undefined ? { instances: args.instances, cores } : { instances: DEFAULT_INSTANCES }),
    appPort: args.app?.port,
    appHealthPath: args.app?.healthPath,
    httpPort: args.httpPort,
    httpsPort: args.httpsPort,
    publishHost: args.publishHost,
    hostnames: args.hostnames,
    balance: args.balance as BalanceMethodName | undefined,
    sticky: args.sticky === false ? false : definedOnly({ cookieName: args.stickyCookieName }),
    healthCheck: args.healthCheck === false ? false : definedOnly({ path: args.healthCheckPath, interval: args.healthCheckInterval }),
    adminPort: args.adminPort,
    ...(args.acme && { acme: definedOnly({ email: args.acmeEmail, directory: args.acmeDirectory }) }),
  };
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
