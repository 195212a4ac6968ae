// Defaults applied once, durations turned into milliseconds. Input has passed validation.
import * as D from './defaults';
import { toMilliseconds } from './duration';
import { resolve as resolvePath } from 'node:path';
import { toBytes } from './size';
import type {
  AcmeConfig,
  CacheZoneConfig,
  CompressConfig,
  HealthCheckConfig,
  ProxyConfig,
  RouteCacheConfig,
  RouteConfig,
  StaticActionConfig,
  StickyConfig,
  UpstreamConfig,
  UpstreamServerConfig,
} from './schema';
import type {
  ResolvedAcme,
  ResolvedAction,
  ResolvedAdmin,
  ResolvedCacheZone,
  ResolvedCompress,
  ResolvedProxyAction,
  ResolvedRouteCache,
  ResolvedStaticAction,
  StaleCondition,
  ResolvedConfig,
  ResolvedHeaderRules,
  ResolvedHealthCheck,
  ResolvedRoute,
  ResolvedServer,
  ResolvedServerDefaults,
  ResolvedSticky,
  ResolvedUpstream,
} from './resolved';
import type { Secrets } from './secrets';
import { normalizeListener } from './normalize-listener';
import type { ListenerCertificates } from './tls-files';

export function normalizeConfig(config: ProxyConfig, secrets: Secrets, certificates: ListenerCertificates = new Map()): ResolvedConfig {
  const t = config.timeouts ?? {};
  const ms = (v: number | string | undefined, fallback: number) => (v === undefined ? fallback : toMilliseconds(v));
  return {
    listeners: config.listeners.map((l, i) => normalizeListener(l, i, certificates.get(i))),
    upstreams: new Map(Object.entries(config.upstreams).map(([name, u]) => [name, normalizeUpstream(name, u, secrets)])),
    routes: config.routes.map((r, i) => normalizeRoute(r, i, config)),
    caches: new Map(Object.entries(config.caches ?? {}).map(([name, z]) => [name, normalizeCacheZone(name, z)])),
    timeouts: {
      connect: ms(t.connect, D.DEFAULT_TIMEOUTS.connect),
      firstByte: ms(t.firstByte, D.DEFAULT_TIMEOUTS.firstByte),
      upstreamIdle: ms(t.upstreamIdle, D.DEFAULT_TIMEOUTS.upstreamIdle),
      clientSend: ms(t.clientSend, D.DEFAULT_TIMEOUTS.clientSend),
      clientHeader: ms(t.clientHeader, D.DEFAULT_TIMEOUTS.clientHeader),
      clientBody: ms(t.clientBody, D.DEFAULT_TIMEOUTS.clientBody),
      clientKeepAlive: ms(t.clientKeepAlive, D.DEFAULT_TIMEOUTS.clientKeepAlive),
      tunnelIdle: ms(t.tunnelIdle, D.DEFAULT_TIMEOUTS.tunnelIdle),
    },
    trustedProxies: config.trustedProxies ?? [],
    forwardedHeader: config.forwardedHeader ?? false,
    upstreamClient: config.upstreamClient ?? 'auto',
    admin: normalizeAdmin(config.admin, secrets),
    acme: config.acme ? normalizeAcme(config.acme) : null,
    log: { level: config.log?.level ?? 'info' },
  };
}

function normalizeUpstream(name: string, u: UpstreamConfig, secrets: Secrets): ResolvedUpstream {
  const maxFails = u.maxFails ?? D.DEFAULT_MAX_FAILS;
  const slowStart = u.slowStart === undefined ? 0 : toMilliseconds(u.slowStart);
  const failTimeout = u.failTimeout === undefined ? D.DEFAULT_FAIL_TIMEOUT : toMilliseconds(u.failTimeout);
  const conditions: readonly string[] = u.retry?.on ?? D.DEFAULT_RETRY_ON;
  const serverDefaults = { maxFails, failTimeout, slowStart };
  return {
    name,
    servers: u.servers.map((s) => normalizeServer(s, serverDefaults)),
    serverDefaults,
    balance: u.balance ?? D.DEFAULT_BALANCE,
    hashKey: u.hashKey ?? '',
    consistent: u.consistent ?? false,
    retry: {
      on: new Set(conditions.filter((c): c is 'error' | 'timeout' => c === 'error' || c === 'timeout')),
      statuses: new Set(conditions.filter((c) => c.startsWith('http_')).map((c) => Number(c.slice(5)))),
      tries: u.retry?.tries ?? D.DEFAULT_RETRY_TRIES,
      timeout: u.retry?.timeout === undefined ? D.DEFAULT_RETRY_TIMEOUT : toMilliseconds(u.retry.timeout),
      nonIdempotent: u.retry?.nonIdempotent ?? false,
    },
    keepalive: {
      timeout: u.keepalive?.timeout === undefined ? D.DEFAULT_KEEPALIVE_TIMEOUT : toMilliseconds(u.keepalive.timeout),
      connections: u.keepalive?.connections ?? D.DEFAULT_KEEPALIVE_CONNECTIONS,
    },
    sticky: u.sticky ? normalizeSticky(u.sticky, secrets) : null,
    healthCheck: u.healthCheck ? normalizeHealthCheck(u.healthCheck) : null,
    drainTimeout: u.drainTimeout === undefined ? D.DEFAULT_DRAIN_TIMEOUT : toMilliseconds(u.drainTimeout),
  };
}

/** One server entry, with the upstream's defaults for what it leaves out (also for servers added by the admin API). */
export function normalizeServer(s: UpstreamServerConfig, defaults: ResolvedServerDefaults): ResolvedServer {
  const colon = s.address.lastIndexOf(':');
  return {
    id: s.id ?? s.address,
    address: s.address,
    host: s.address.slice(0, colon).replace(/^\[(.*)\]$/, '$1'),
    port: Number(s.address.slice(colon + 1)),
    weight: s.weight ?? D.DEFAULT_WEIGHT,
    maxConns: s.maxConns ?? 0,
    maxFails: s.maxFails ?? defaults.maxFails,
    failTimeout: s.failTimeout === undefined ? defaults.failTimeout : toMilliseconds(s.failTimeout),
    backup: s.backup ?? false,
    down: s.down ?? false,
    drain: s.drain ?? false,
    route: s.route ?? '',
    slowStart: s.slowStart === undefined ? defaults.slowStart : toMilliseconds(s.slowStart),
  };
}

/** Input has passed validation: exactly one kind is given. */
function normalizeSticky(s: StickyConfig, secrets: Secrets): ResolvedSticky {
  if (s.cookie) {
    const c = s.cookie;
    return {
      kind: 'cookie',
      name: c.name ?? D.DEFAULT_STICKY_COOKIE,
      key: c.key ?? secrets.stickyKey,
      expires: c.expires === undefined ? null : c.expires === 'max' ? 'max' : Math.floor(toMilliseconds(c.expires) / 1000),
      domain: c.domain ?? null,
      path: c.path ?? null,
      httpOnly: c.httpOnly ?? false,
      secure: c.secure ?? false,
      sameSite: c.sameSite ?? null,
    };
  }
  if (s.route) return { kind: 'route', from: s.route.from };
  const l = s.learn!;
  return {
    kind: 'learn',
    cookie: l.cookie,
    timeout: l.timeout === undefined ? D.DEFAULT_LEARN_TIMEOUT : toMilliseconds(l.timeout),
    maxEntries: l.maxEntries ?? D.DEFAULT_LEARN_MAX_ENTRIES,
  };
}

function normalizeHealthCheck(h: HealthCheckConfig): ResolvedHealthCheck {
  const d = D.DEFAULT_HEALTH_CHECK;
  const ms = (v: number | string | undefined, fallback: number) => (v === undefined ? fallback : toMilliseconds(v));
  return {
    interval: ms(h.interval, d.interval),
    jitter: ms(h.jitter, d.jitter),
    timeout: ms(h.timeout, d.timeout),
    fails: h.fails ?? d.fails,
    passes: h.passes ?? d.passes,
    uri: h.uri ?? d.uri,
    method: h.method ?? d.method,
    headers: Object.entries(h.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
    port: h.port ?? null,
    status: (h.expect?.status ?? d.status).map((range) => {
      const [from, to = from] = range.split('-');
      return [Number(from), Number(to)];
    }),
    expectHeaders: Object.entries(h.expect?.headers ?? {}).map(([k, v]) => [k.toLowerCase(), new RegExp(v)]),
    expectBody: h.expect?.body ? new RegExp(h.expect.body) : null,
    mandatory: h.mandatory ?? false,
    persistent: h.persistent ?? false,
  };
}

function normalizeAdmin(a: ProxyConfig['admin'], secrets: Secrets): ResolvedAdmin | null {
  if (a === undefined) return null; // as NGINX's api: only where configured
  const listen = a.listen ?? D.DEFAULT_ADMIN_LISTEN;
  const colon = listen.lastIndexOf(':');
  return {
    host: listen.slice(0, colon).replace(/^\[(.*)\]$/, '$1'),
    port: Number(listen.slice(colon + 1)),
    token: secrets.adminToken,
    requireToken: a.requireToken ?? false,
  };
}

function normalizeRoute(r: RouteConfig, index: number, config: ProxyConfig): ResolvedRoute {
  return {
    name: r.name ?? `route-${index}`,
    hosts: (r.match?.host ?? []).map((h) => (h.startsWith('~') ? h : h.toLowerCase())),
    path: r.match?.path ?? '/',
    pathRegex: r.match?.pathRegex ? new RegExp(r.match.pathRegex) : null,
    action: routeAction(r, config),
    requestHeaders: headerRules(r.requestHeaders),
    responseHeaders: headerRules(r.responseHeaders),
    cache: r.cache ? normalizeRouteCache(r.cache) : null,
    compress: r.compress ? normalizeCompress(r.compress) : null,
  };
}

function routeAction(r: RouteConfig, config: ProxyConfig): ResolvedAction {
  if (r.proxy) return proxyAction(r.proxy.upstream, r, config);
  if (r.redirect) return { kind: 'redirect', location: r.redirect.location, status: r.redirect.status ?? D.DEFAULT_REDIRECT_STATUS };
  if (r.static) return staticAction(r.static, r, config);
  throw new Error('a route without an action passed validation'); // validate.ts requires exactly one
}

function proxyAction(upstreamName: string, r: RouteConfig, config: ProxyConfig): ResolvedProxyAction {
  const upstream: UpstreamConfig | undefined = config.upstreams[upstreamName];
  return {
    kind: 'proxy',
    upstream: upstreamName,
    retryNonIdempotent: r.proxy?.retryNonIdempotent ?? upstream?.retry?.nonIdempotent ?? false,
    upgrades: (r.proxy?.upgrades ?? D.DEFAULT_UPGRADES).map((p) => p.toLowerCase()),
  };
}

function staticAction(s: StaticActionConfig, r: RouteConfig, config: ProxyConfig): ResolvedStaticAction {
  const expires = s.expires === undefined || s.expires === 'off' ? null : s.expires === 'max' ? 'max' : Math.floor(toMilliseconds(s.expires) / 1000);
  return {
    kind: 'static',
    directory: resolvePath((s.root ?? s.alias) as string),
    alias: s.alias !== undefined,
    index: s.index ?? ['index.html'],
    tryFiles: s.tryFiles ?? [],
    fallback: s.fallback === undefined ? null : proxyAction(s.fallback, r, config),
    expires,
    precompressed: s.precompressed ?? true,
    etag: s.etag ?? true,
    openFileCacheValid: s.openFileCacheValid === undefined ? D.OPEN_FILE_CACHE_VALID_MS : toMilliseconds(s.openFileCacheValid),
  };
}

function normalizeAcme(a: AcmeConfig): ResolvedAcme {
  const ms = (v: number | string | undefined, fallback: number) => (v === undefined ? fallback : toMilliseconds(v));
  return {
    hostnames: [...new Set(a.hostnames.map((h) => h.toLowerCase()))],
    email: a.email ?? null,
    directory: a.directory ?? D.DEFAULT_ACME_DIRECTORY,
    storage: resolvePath(a.storage),
    caFile: a.caFile === undefined ? null : resolvePath(a.caFile),
    renewBefore: ms(a.renewBefore, D.DEFAULT_ACME_RENEW_BEFORE),
    retryMin: ms(a.retryMin, D.DEFAULT_ACME_RETRY_MIN),
    retryMax: ms(a.retryMax, D.DEFAULT_ACME_RETRY_MAX),
    mode: a.mode ?? 'order',
    followInterval: ms(a.followInterval, D.DEFAULT_ACME_FOLLOW_INTERVAL),
  };
}

function normalizeCacheZone(name: string, z: CacheZoneConfig): ResolvedCacheZone {
  return {
    name,
    maxSize: z.maxSize === undefined ? D.DEFAULT_CACHE_MAX_SIZE : toBytes(z.maxSize),
    maxEntrySize: z.maxEntrySize === undefined ? D.DEFAULT_CACHE_MAX_ENTRY_SIZE : toBytes(z.maxEntrySize),
    disk: z.disk
      ? {
          path: resolvePath(z.disk.path),
          maxSize: z.disk.maxSize === undefined ? D.DEFAULT_CACHE_DISK_MAX_SIZE : toBytes(z.disk.maxSize),
          inactive: z.disk.inactive === undefined ? D.DEFAULT_CACHE_INACTIVE : toMilliseconds(z.disk.inactive),
        }
      : null,
  };
}

function normalizeRouteCache(c: RouteCacheConfig): ResolvedRouteCache {
  const valid = new Map<number, number>();
  let validAny: number | null = null;
  for (const rule of c.valid ?? []) {
    const time = toMilliseconds(rule.for);
    for (const status of rule.status ?? D.DEFAULT_CACHE_VALID_STATUSES) {
      if (status === 'any') validAny = time;
      else valid.set(status, time);
    }
  }
  return {
    zone: c.zone,
    key: c.key ?? D.DEFAULT_CACHE_KEY,
    methods: new Set(c.methods ?? ['GET', 'HEAD']),
    valid,
    validAny,
    minUses: c.minUses ?? 1,
    ignoreHeaders: new Set((c.ignoreHeaders ?? []).map((h) => h.toLowerCase())),
    bypass: c.bypass ?? [],
    noStore: c.noStore ?? [],
    useStale: new Set<StaleCondition>(c.useStale ?? []),
    backgroundUpdate: c.backgroundUpdate ?? false,
    lock: c.lock ?? true,
    lockTimeout: c.lockTimeout === undefined ? D.DEFAULT_CACHE_LOCK_TIMEOUT : toMilliseconds(c.lockTimeout),
    revalidate: c.revalidate ?? true,
  };
}

function normalizeCompress(c: CompressConfig): ResolvedCompress {
  return {
    types: new Set((c.types ?? D.DEFAULT_COMPRESS_TYPES).map((t) => t.toLowerCase())),
    minLength: c.minLength ?? D.DEFAULT_COMPRESS_MIN_LENGTH,
    encodings: c.encodings ?? ['br', 'gzip'],
    gzipLevel: c.gzipLevel ?? D.DEFAULT_GZIP_LEVEL,
    brotliLevel: c.brotliLevel ?? D.DEFAULT_BROTLI_LEVEL,
  };
}

function headerRules(rules: RouteConfig['requestHeaders']): ResolvedHeaderRules {
  return {
    set: Object.entries(rules?.set ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
    remove: (rules?.remove ?? []).map((h) => h.toLowerCase()),
  };
}
