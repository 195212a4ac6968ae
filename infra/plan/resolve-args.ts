// Stack args -> the same args with every default applied and the instance count decided.
// Validate first, then normalize (STYLE 9): every problem is collected and thrown as one PlanError.
import { isIP } from 'node:net';
import { isAbsolute } from 'node:path';
import type { BalanceMethodName } from '../../proxy/src/config/schema';
import { PlanError } from './plan-error';
import { instanceCount } from './sizing';
import {
  DEFAULT_ADMIN_PORT,
  DEFAULT_APP_PORT,
  DEFAULT_APP_VMS,
  DEFAULT_HEALTH_CHECK,
  DEFAULT_STICKY_COOKIE,
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
  /** Every app instance of the stack (aws: appVms × instancesPerVm). */
  instances: number;
  /** aws: app VMs (1 elsewhere: one machine). */
  appVms: number;
  /** Instances on one machine (= instances except on aws). */
  instancesPerVm: number;
  appPort: number;
  appHealthPath: string;
  httpPort: number;
  httpsPort: number;
  publishHost: string;
  hostnames: string[];
  balance?: BalanceMethodName;
  /** null: no sticky cookie. */
  sticky: { cookieName: string } | null;
  /** null: no active health check. */
  healthCheck: { path: string; interval: string; intervalMs: number } | null;
  adminPort: number;
  /** null: the proxy cannot read the app's files (it caches the asset paths). */
  appPublicDir: string | null;
  /** local: the HTTPS listener's files; null: no HTTPS listener (local) or the uploaded certificate (docker). */
  tlsFiles: { cert: string; key: string } | null;
  /** null: the stack's own certificate (its CA), not ACME. */
  acme: { email?: string; directory?: string } | null;
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

  const sized = instanceCount(args.instances, args.cores);
  if (typeof sized === 'string') issues.push(sized);
  const target = args.target;
  const appVms = resolveAppVms(target, args.appVms, issues);
  const perVm = typeof sized === 'number' ? sized : 1;
  const resolved: ResolvedStackArgs = {
    stackName,
    target,
    instances: perVm * appVms,
    appVms,
    instancesPerVm: perVm,
    appPort: args.appPort ?? (target === 'local' ? DEFAULT_APP_PORT.local : DEFAULT_APP_PORT.docker),
    appHealthPath: resolvePath('appHealthPath', args.appHealthPath ?? DEFAULT_HEALTH_CHECK.path, issues),
    httpPort: args.httpPort ?? DEFAULT_HTTP_PORT,
    httpsPort: args.httpsPort ?? DEFAULT_HTTPS_PORT,
    publishHost: args.publishHost ?? DEFAULT_PUBLISH_HOST,
    hostnames: [...(args.hostnames ?? DEFAULT_HOSTNAMES)],
    ...(args.balance !== undefined && { balance: args.balance }),
    sticky: resolveSticky(args.sticky, issues),
    healthCheck: resolveHealthCheck(args.healthCheck, args.appHealthPath ?? DEFAULT_HEALTH_CHECK.path, issues),
    adminPort: args.adminPort ?? DEFAULT_ADMIN_PORT,
    appPublicDir: args.appPublicDir ?? null,
    tlsFiles: args.tlsFiles ?? null,
    acme: resolveAcme(args.acme, issues),
  };
  issues.push(...publicDirIssues(resolved), ...tlsIssues(resolved));
  issues.push(...portIssues(resolved), ...hostIssues(resolved));
  if (resolved.balance !== undefined && !STACK_BALANCE_METHODS.includes(resolved.balance)) {
    issues.push(`balance must be one of ${STACK_BALANCE_METHODS.join(', ')}, got "${resolved.balance}"`);
  }
  if (issues.length) throw new PlanError(stackName, issues);
  return resolved;
}

function portIssues(args: ResolvedStackArgs): string[] {
  const issues: string[] = [];
  for (const field of ['appPort', 'httpPort', 'httpsPort', 'adminPort'] as const) {
    const port = args[field];
    if (!Number.isInteger(port) || port < 1 || port > 65535) issues.push(`${field} must be a port number 1-65535, got ${port}`);
  }
  if (issues.length) return issues;
  if (args.httpPort === args.httpsPort) issues.push(`httpsPort must differ from httpPort, both are ${args.httpPort}`);
  for (const field of ['httpPort', 'httpsPort'] as const) {
    if (args.adminPort === args[field]) issues.push(`adminPort must differ from ${field}, both are ${args.adminPort}`);
  }
  if (args.target === 'local') issues.push(...localAppPortIssues(args));
  const lastVmPort = args.appPort + args.instancesPerVm - 1;
  if (args.target === 'aws' && lastVmPort > 65535) {
    issues.push(`appPort ${args.appPort} leaves no room for ${args.instancesPerVm} instances per VM (ports ${args.appPort}-${lastVmPort})`);
  }
  return issues;
}

/** Up to 100 app VMs: more is a typo, or a fleet that wants an autoscaling group instead. */
function resolveAppVms(target: TargetName, value: number | undefined, issues: string[]): number {
  if (value === undefined) return DEFAULT_APP_VMS;
  if (target !== 'aws') {
    issues.push(`appVms is for target aws (target ${target} runs every instance on one machine)`);
    return DEFAULT_APP_VMS;
  }
  if (!Number.isInteger(value) || value < 1 || value > 100) {
    issues.push(`appVms must be an integer from 1 to 100, got ${show(value)}`);
    return DEFAULT_APP_VMS;
  }
  return value;
}

/** Locally every instance takes its own port on 127.0.0.1: they must all fit and not hit the proxy's. */
function localAppPortIssues(args: ResolvedStackArgs): string[] {
  const last = args.appPort + args.instances - 1;
  const range = `${args.appPort}-${last}`;
  if (last > 65535) return [`appPort ${args.appPort} leaves no room for ${args.instances} instances (ports ${range})`];
  return (['httpPort', 'httpsPort', 'adminPort'] as const)
    .filter((field) => args[field] >= args.appPort && args[field] <= last)
    .map((field) => `${field} ${args[field]} is also an app instance port (${range})`);
}

function publicDirIssues(args: ResolvedStackArgs): string[] {
  const dir = args.appPublicDir;
  if (dir === null) return [];
  if (args.target !== 'local') return [`appPublicDir is for the local target only: a ${args.target} proxy cannot read the app's files`];
  return typeof dir === 'string' && isAbsolute(dir) ? [] : [`appPublicDir must be an absolute path, got ${show(dir)}`];
}

function tlsIssues(args: ResolvedStackArgs): string[] {
  const issues: string[] = [];
  const files = args.tlsFiles;
  if (files !== null) {
    if (args.target !== 'local') issues.push(`tlsFiles is for the local target only: a ${args.target} proxy gets the stack's certificate uploaded`);
    for (const field of ['cert', 'key'] as const) {
      if (typeof files[field] !== 'string' || !isAbsolute(files[field])) issues.push(`tlsFiles.${field} must be an absolute path, got ${show(files[field])}`);
    }
  }
  if (args.acme === null) return issues;
  if (args.target === 'local') issues.push('acme is for stacks with public names (target docker): a local stack has its local CA');
  // The aws target terminates TLS its own way (ACME by default): one setting, not two that could disagree.
  if (args.target === 'aws') issues.push('acme is for target docker: on aws set aws.tls (mode acme is its default; awsTls, awsAcmeEmail in the stack config)');
  if (!Array.isArray(args.hostnames)) return issues;
  args.hostnames.forEach((name, i) => {
    if (typeof name === 'string' && !isPublicName(name)) {
      issues.push(`acme needs public DNS names (no wildcard, localhost or single label): hostnames[${i}] is "${name}"`);
    }
  });
  return issues;
}

/** A name an ACME CA can issue for by HTTP-01: dotted, no wildcard, not under localhost (RFC 6761). */
function isPublicName(name: string): boolean {
  const lower = name.toLowerCase();
  return !lower.startsWith('*.') && lower.includes('.') && lower !== 'localhost' && !lower.endsWith('.localhost') && isIP(lower) === 0;
}

const EMAIL = /^[^@\s]+@[^@\s]+$/;

function resolveAcme(value: StackArgs['acme'], issues: string[]): ResolvedStackArgs['acme'] {
  if (value === undefined || value === false) return null;
  const options = optionsOf('acme', value, ['email', 'directory'], issues) ?? {};
  const { email, directory } = options;
  if (email !== undefined && (typeof email !== 'string' || !EMAIL.test(email))) issues.push(`acme.email must be an email address, got ${show(email)}`);
  if (directory !== undefined && (typeof directory !== 'string' || !directory.startsWith('https://'))) {
    issues.push(`acme.directory must be an https:// URL, got ${show(directory)}`);
  }
  return { ...(email !== undefined && { email: String(email) }), ...(directory !== undefined && { directory: String(directory) }) };
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

/** The proxy's cookie-name rule (an HTTP token, RFC 9110 §5.6.2), so the config passes its schema. */
const COOKIE_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
/** A request path the health check can send: starts with /, printable ASCII, no fragment. */
const CHECK_PATH = /^\/[\x21-\x22\x24-\x7e]{0,1023}$/;
const DURATION = /^(\d+)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
/** Checks more often than 100ms are load, not health; less often than 5m leaves a dead instance in traffic. */
const INTERVAL_MS = { min: 100, max: 5 * 60_000 };

function resolveSticky(value: StackArgs['sticky'], issues: string[]): ResolvedStackArgs['sticky'] {
  const options = optionsOf('sticky', value, ['cookieName'], issues);
  if (options === null) return null;
  const cookieName = options.cookieName ?? DEFAULT_STICKY_COOKIE;
  if (typeof cookieName !== 'string' || !COOKIE_NAME.test(cookieName)) {
    issues.push(`sticky.cookieName must be a cookie name (1-64 letters, digits or !#$%&'*+.^_\`|~-), got ${show(cookieName)}`);
  }
  return { cookieName: String(cookieName) };
}

function resolveHealthCheck(value: StackArgs['healthCheck'], appHealthPath: string, issues: string[]): ResolvedStackArgs['healthCheck'] {
  const options = optionsOf('healthCheck', value, ['path', 'interval'], issues);
  if (options === null) return null;
  const path = options.path === undefined ? String(appHealthPath) : resolvePath('healthCheck.path', options.path, issues);
  const interval = options.interval ?? DEFAULT_HEALTH_CHECK.interval;
  const match = typeof interval === 'string' ? DURATION.exec(interval) : null;
  const ms = match ? Number(match[1]) * UNIT_MS[match[2]] : NaN;
  if (!(ms >= INTERVAL_MS.min && ms <= INTERVAL_MS.max)) {
    issues.push(`healthCheck.interval must be a duration from 100ms to 5m like "2s" or "500ms", got ${show(interval)}`);
  }
  return { path: String(path), interval: String(interval), intervalMs: ms };
}

function resolvePath(field: string, path: unknown, issues: string[]): string {
  if (typeof path !== 'string' || !CHECK_PATH.test(path)) {
    issues.push(`${field} must be a request path starting with / (no spaces or #), got ${show(path)}`);
  }
  return String(path);
}

/**
 * `true` or absent: the defaults; `false`: off (null); an object: its known fields. Anything else,
 * or an unknown field, is an issue (the feature then resolves to its defaults, for later checks).
 */
function optionsOf(field: string, value: unknown, known: readonly string[], issues: string[]): Record<string, unknown> | null {
  if (value === false) return null;
  if (value === undefined || value === true) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.push(`${field} must be true, false or an object with ${known.join(', ')}, got ${show(value)}`);
    return {};
  }
  const unknown = Object.keys(value).filter((k) => !known.includes(k));
  if (unknown.length) issues.push(`${field} has unknown field ${unknown.map((k) => `"${k}"`).join(', ')} (known: ${known.join(', ')})`);
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/** JSON, so a control character in a hostile value shows escaped, never breaks the message. */
function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
