// Validation in two passes: the schema (shape and types), then the meaning (references, regexes,
// conflicts). Every issue is collected, so a user fixes a file in one go, not one error at a time.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType } from '@sinclair/typebox/errors';
import type { TSchema } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import { ProxyConfig, UpstreamServer, type BalanceMethodName, type RouteConfig, type UpstreamServerConfig } from './schema';
import { pointerToPath, type ConfigIssue } from './config-error';
import { parseCidr } from '../net/cidr';
import { compileTemplate } from '../template';
import { listenerTlsIssues } from './validate-listeners';
import { toMilliseconds } from './duration';

const checker = TypeCompiler.Compile(ProxyConfig);
const serverChecker = TypeCompiler.Compile(UpstreamServer);

export function schemaIssues(value: unknown): ConfigIssue[] {
  return issuesOf(checker, value);
}

/**
 * A server added at run time (admin API): the checks a config file's entry gets, with paths
 * relative to the entry (`weight: ...`). `ids` are the servers the upstream has now.
 */
export function addedServerIssues(value: unknown, ids: ReadonlySet<string>, balance: BalanceMethodName): ConfigIssue[] {
  const shape = issuesOf(serverChecker, value);
  if (shape.length) return shape;
  const issues: ConfigIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  const s = value as UpstreamServerConfig;
  serverEntryIssues(s, '', new Set(ids), add);
  const hashing = balance === 'hash' || balance === 'ip-hash';
  if (hashing && s.backup) add('backup', `backup servers cannot be used with balance "${balance}" (as in NGINX)`);
  if (hashing && s.slowStart !== undefined) add('slowStart', `slow start cannot be used with balance "${balance}" (as in NGINX)`);
  return issues;
}

/** Every issue `checker` finds in `value`, one per path, in the config file's wording. */
export function issuesOf(checker: TypeCheck<TSchema>, value: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const error of checker.Errors(value)) {
    const custom = (error.schema as { errorMessage?: string }).errorMessage;
    let path = pointerToPath(error.path);
    let message = custom ?? lowerFirst(error.message);
    if (error.type === ValueErrorType.ObjectAdditionalProperties) message = 'unknown field';
    if (error.type === ValueErrorType.ObjectRequiredProperty) message = 'required';
    if (!path) path = '(root)';
    // A union reports once for itself and once per member; the first line for a path wins.
    if (seen.has(path)) continue;
    seen.add(path);
    issues.push({ path, message });
  }
  return issues;
}

/** Checks what a schema cannot say. Assumes the value passed the schema. */
export function semanticIssues(config: ProxyConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });

  const bound = new Set<string>();
  config.listeners.forEach((l, i) => {
    const key = `${l.host ?? '0.0.0.0'}:${l.port}`;
    if (l.port !== 0 && bound.has(key)) add(`listeners[${i}]`, `duplicate listener ${key}`);
    bound.add(key);
  });
  listenerTlsIssues(config, add);

  for (const [name, upstream] of Object.entries(config.upstreams)) {
    const ids = new Set<string>();
    upstream.servers.forEach((s, i) => serverEntryIssues(s, `upstreams.${name}.servers[${i}]`, ids, add));
    if (upstream.servers.every((s) => s.backup)) add(`upstreams.${name}.servers`, 'at least one server must not be a backup');
    const method = upstream.balance ?? 'round-robin';
    if (method === 'hash' && !upstream.hashKey) add(`upstreams.${name}.hashKey`, 'required when balance is "hash"');
    if (method !== 'hash' && upstream.hashKey) add(`upstreams.${name}.hashKey`, 'only allowed when balance is "hash"');
    if (method !== 'hash' && upstream.consistent) add(`upstreams.${name}.consistent`, 'only allowed when balance is "hash"');
    if (upstream.hashKey) templateIssue(upstream.hashKey, `upstreams.${name}.hashKey`, add);
    if ((method === 'hash' || method === 'ip-hash') && upstream.servers.some((s) => s.backup)) {
      add(`upstreams.${name}.servers`, `backup servers cannot be used with balance "${method}" (as in NGINX)`);
    }
    const sticky = upstream.sticky;
    if (sticky) {
      const kinds = (['cookie', 'route', 'learn'] as const).filter((k) => sticky[k] !== undefined);
      if (kinds.length !== 1) add(`upstreams.${name}.sticky`, 'exactly one of cookie, route, learn must be given');
      sticky.route?.from.forEach((t, j) => templateIssue(t, `upstreams.${name}.sticky.route.from[${j}]`, add));
    }
    const slowStart = upstream.slowStart !== undefined || upstream.servers.some((s) => s.slowStart !== undefined);
    if (slowStart && (method === 'hash' || method === 'ip-hash')) {
      add(`upstreams.${name}.slowStart`, `slow start cannot be used with balance "${method}" (as in NGINX)`);
    }
    const check = upstream.healthCheck;
    if (check?.expect?.body) regexIssue(check.expect.body, `upstreams.${name}.healthCheck.expect.body`, add);
    for (const [header, pattern] of Object.entries(check?.expect?.headers ?? {})) {
      regexIssue(pattern, `upstreams.${name}.healthCheck.expect.headers.${header}`, add);
    }
    for (const [header, value] of Object.entries(check?.headers ?? {})) {
      if (/[\r\n\0]/.test(value)) add(`upstreams.${name}.healthCheck.headers.${header}`, 'header value must not contain CR, LF or NUL');
    }
    check?.expect?.status?.forEach((range, j) => {
      const [from, to = from] = range.split('-').map(Number);
      if (from > to) add(`upstreams.${name}.healthCheck.expect.status[${j}]`, `empty range ${range}`);
    });
    const on = upstream.retry?.on;
    if (on && on.includes('off') && on.length > 1) add(`upstreams.${name}.retry.on`, '"off" cannot be combined with other conditions');
  }

  config.routes.forEach((route, i) => {
    const at = `routes[${i}]`;
    const actions = (['proxy', 'redirect', 'static'] as const).filter((k) => route[k] !== undefined);
    if (actions.length !== 1) add(at, 'exactly one of proxy, redirect, static must be given');
    if (route.proxy && !(route.proxy.upstream in config.upstreams)) {
      add(`${at}.proxy.upstream`, `no upstream named "${route.proxy.upstream}"`);
    }
    staticIssues(route, at, config, add);
    cacheIssues(route, at, config, add);
    if (route.match?.path && route.match.pathRegex) add(`${at}.match`, 'only one of path, pathRegex can be given');
    if (route.match?.pathRegex) regexIssue(route.match.pathRegex, `${at}.match.pathRegex`, add);
    route.match?.host?.forEach((h, j) => {
      if (h.startsWith('~')) regexIssue(h.slice(1), `${at}.match.host[${j}]`, add);
    });
    if (route.redirect) templateIssue(route.redirect.location, `${at}.redirect.location`, add);
    for (const [kind, rules] of [['requestHeaders', route.requestHeaders], ['responseHeaders', route.responseHeaders]] as const) {
      for (const [name, value] of Object.entries(rules?.set ?? {})) {
        if (/[\r\n\0]/.test(value)) add(`${at}.${kind}.set.${name}`, 'header value must not contain CR, LF or NUL');
        else templateIssue(value, `${at}.${kind}.set.${name}`, add);
      }
    }
  });

  const admin = config.admin?.listen;
  if (admin !== undefined) {
    const port = Number(admin.slice(admin.lastIndexOf(':') + 1));
    if (port > 65535) add('admin.listen', 'port must be 0-65535');
    if (config.listeners.some((l) => l.port !== 0 && l.port === port)) add('admin.listen', `port ${port} is also a traffic listener`);
  }

  // 0 would re-read the storage in a tight loop.
  if (config.acme?.followInterval !== undefined && toMilliseconds(config.acme.followInterval) === 0) add('acme.followInterval', 'must be more than 0');

  config.trustedProxies?.forEach((cidr, i) => {
    if (!parseCidr(cidr)) add(`trustedProxies[${i}]`, 'expected an IP address or CIDR like 10.0.0.0/8');
  });
  return issues;
}

function staticIssues(route: RouteConfig, at: string, config: ProxyConfig, add: (p: string, m: string) => void): void {
  const s = route.static;
  if (!s) return;
  if ((s.root === undefined) === (s.alias === undefined)) add(`${at}.static`, 'exactly one of root, alias must be given');
  if (s.fallback !== undefined && !(s.fallback in config.upstreams)) add(`${at}.static.fallback`, `no upstream named "${s.fallback}"`);
  if (s.alias !== undefined && route.match?.pathRegex) add(`${at}.static.alias`, 'alias needs a path prefix (match.path), not pathRegex');
}

function cacheIssues(route: RouteConfig, at: string, config: ProxyConfig, add: (p: string, m: string) => void): void {
  const c = route.cache;
  if (!c) return;
  if (!route.proxy && !route.static?.fallback) add(`${at}.cache`, 'a cache needs a proxy route (or a static fallback upstream)');
  if (!(c.zone in (config.caches ?? {}))) add(`${at}.cache.zone`, `no cache named "${c.zone}" in caches`);
  if (c.key !== undefined) templateIssue(c.key, `${at}.cache.key`, add);
  c.bypass?.forEach((t, j) => templateIssue(t, `${at}.cache.bypass[${j}]`, add));
  c.noStore?.forEach((t, j) => templateIssue(t, `${at}.cache.noStore[${j}]`, add));
}

/** One server entry at `at` ('' for an entry on its own); `ids` collects the ids seen so far. */
function serverEntryIssues(s: UpstreamServerConfig, at: string, ids: Set<string>, add: (p: string, m: string) => void): void {
  const port = Number(s.address.slice(s.address.lastIndexOf(':') + 1));
  if (port < 1 || port > 65535) add(at ? `${at}.address` : 'address', 'port must be 1-65535');
  const id = s.id ?? s.address;
  if (ids.has(id)) add(at || (s.id === undefined ? 'address' : 'id'), `duplicate server ${id}`);
  ids.add(id);
}

function regexIssue(source: string, path: string, add: (p: string, m: string) => void): void {
  try {
    new RegExp(source);
  } catch (err) {
    add(path, `invalid regular expression: ${(err as Error).message}`);
  }
}

function templateIssue(source: string, path: string, add: (p: string, m: string) => void): void {
  try {
    compileTemplate(source);
  } catch (err) {
    add(path, (err as Error).message);
  }
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
