// Stack args -> the same args with every default applied and the instance count decided.
// Validate first, then normalize (STYLE 9): every problem is collected and thrown as one PlanError.
import { isIP } from 'node:net';
import type { BalanceMethodName } from '../../proxy/src/config/schema';
import { PlanError } from './plan-error';
import { instanceCount } from './sizing';
import {
  DEFAULT_APP_PORT,
  DEFAULT_HOSTNAMES,
  DEFAULT_HTTPS_PORT,
  DEFAULT_HTTP_PORT,
  DEFAULT_PUBLISH_HOST,
  STACK_BALANCE_METHODS,
  TARGETS,
  type StackArgs,
  type TargetName,
} from './stack-args';

export interface ResolvedStackArgs {
  stackName: string;
  target: TargetName;
  instances: number;
  appPort: number;
  httpPort: number;
  httpsPort: number;
  publishHost: string;
  hostnames: string[];
  balance?: BalanceMethodName;
}

/** A DNS label, so that `${stackName}-app-1` is a valid container name and network alias. */
const STACK_NAME = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;
/** A DNS name of letter-digit-dash labels, optionally a leading `*.` wildcard. */
const HOSTNAME = /^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export function resolveStackArgs(args: StackArgs): ResolvedStackArgs {
  const issues: string[] = [];
  const stackName = String(args.stackName);
  if (!STACK_NAME.test(stackName)) {
    issues.push(`stackName must be 1-40 lowercase letters, digits or inner dashes, got "${stackName}"`);
  }
  if (!TARGETS.includes(args.target)) issues.push(`target must be one of ${TARGETS.join(', ')}, got "${args.target}"`);
  else if (args.target === 'aws') issues.push('target aws is not implemented yet');

  const sized = instanceCount(args.instances, args.cores);
  if (typeof sized === 'string') issues.push(sized);
  const target = args.target;
  const resolved: ResolvedStackArgs = {
    stackName,
    target,
    instances: typeof sized === 'number' ? sized : 1,
    appPort: args.appPort ?? (target === 'local' ? DEFAULT_APP_PORT.local : DEFAULT_APP_PORT.docker),
    httpPort: args.httpPort ?? DEFAULT_HTTP_PORT,
    httpsPort: args.httpsPort ?? DEFAULT_HTTPS_PORT,
    publishHost: args.publishHost ?? DEFAULT_PUBLISH_HOST,
    hostnames: [...(args.hostnames ?? DEFAULT_HOSTNAMES)],
    ...(args.balance !== undefined && { balance: args.balance }),
  };
  issues.push(...portIssues(resolved), ...hostIssues(resolved));
  if (resolved.balance !== undefined && !STACK_BALANCE_METHODS.includes(resolved.balance)) {
    issues.push(`balance must be one of ${STACK_BALANCE_METHODS.join(', ')}, got "${resolved.balance}"`);
  }
  if (issues.length) throw new PlanError(stackName, issues);
  return resolved;
}

function portIssues(args: ResolvedStackArgs): string[] {
  const issues: string[] = [];
  for (const field of ['appPort', 'httpPort', 'httpsPort'] as const) {
    const port = args[field];
    if (!Number.isInteger(port) || port < 1 || port > 65535) issues.push(`${field} must be a port number 1-65535, got ${port}`);
  }
  if (issues.length) return issues;
  if (args.httpPort === args.httpsPort) issues.push(`httpsPort must differ from httpPort, both are ${args.httpPort}`);
  if (args.target === 'local') issues.push(...localAppPortIssues(args));
  return issues;
}

/** Locally every instance takes its own port on 127.0.0.1: they must all fit and not hit the proxy's. */
function localAppPortIssues(args: ResolvedStackArgs): string[] {
  const last = args.appPort + args.instances - 1;
  const range = `${args.appPort}-${last}`;
  if (last > 65535) return [`appPort ${args.appPort} leaves no room for ${args.instances} instances (ports ${range})`];
  return (['httpPort', 'httpsPort'] as const)
    .filter((field) => args[field] >= args.appPort && args[field] <= last)
    .map((field) => `${field} ${args[field]} is also an app instance port (${range})`);
}

function hostIssues(args: ResolvedStackArgs): string[] {
  const issues: string[] = [];
  if (isIP(args.publishHost) === 0) issues.push(`publishHost must be an IP address, got "${args.publishHost}"`);
  if (!Array.isArray(args.hostnames) || args.hostnames.length === 0) return [...issues, 'hostnames must hold at least one name'];
  args.hostnames.forEach((name, i) => {
    if (typeof name !== 'string' || !HOSTNAME.test(name) || name.length > 253) {
      issues.push(`hostnames[${i}] must be a DNS name like app.example.com or *.example.com, got "${name}"`);
    }
  });
  return issues;
}
