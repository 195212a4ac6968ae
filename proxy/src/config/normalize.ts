// Defaults applied once, durations turned into milliseconds. Input has passed validation.
import * as D from './defaults';
import { toMilliseconds } from './duration';
import type { ProxyConfig, RouteConfig, UpstreamConfig } from './schema';
import type { ResolvedAction, ResolvedConfig, ResolvedHeaderRules, ResolvedRoute, ResolvedUpstream } from './resolved';

export function normalizeConfig(config: ProxyConfig): ResolvedConfig {
  const t = config.timeouts ?? {};
  const ms = (v: number | string | undefined, fallback: number) => (v === undefined ? fallback : toMilliseconds(v));
  return {
    listeners: config.listeners.map((l, i) => ({
      name: l.name ?? `listener-${i}`,
      host: l.host ?? D.DEFAULT_LISTEN_HOST,
      port: l.port,
    })),
    upstreams: new Map(Object.entries(config.upstreams).map(([name, u]) => [name, normalizeUpstream(name, u)])),
    routes: config.routes.map((r, i) => normalizeRoute(r, i, config)),
    timeouts: {
      connect: ms(t.connect, D.DEFAULT_TIMEOUTS.connect),
      firstByte: ms(t.firstByte, D.DEFAULT_TIMEOUTS.firstByte),
      upstreamIdle: ms(t.upstreamIdle, D.DEFAULT_TIMEOUTS.upstreamIdle),
      clientSend: ms(t.clientSend, D.DEFAULT_TIMEOUTS.clientSend),
      clientHeader: ms(t.clientHeader, D.DEFAULT_TIMEOUTS.clientHeader),
      clientBody: ms(t.clientBody, D.DEFAULT_TIMEOUTS.clientBody),
      clientKeepAlive: ms(t.clientKeepAlive, D.DEFAULT_TIMEOUTS.clientKeepAlive),
    },
    trustedProxies: config.trustedProxies ?? [],
    forwardedHeader: config.forwardedHeader ?? false,
    upstreamClient: config.upstreamClient ?? 'auto',
    log: { level: config.log?.level ?? 'info' },
  };
}

function normalizeUpstream(name: string, u: UpstreamConfig): ResolvedUpstream {
  const maxFails = u.maxFails ?? D.DEFAULT_MAX_FAILS;
  const failTimeout = u.failTimeout === undefined ? D.DEFAULT_FAIL_TIMEOUT : toMilliseconds(u.failTimeout);
  const conditions: readonly string[] = u.retry?.on ?? D.DEFAULT_RETRY_ON;
  return {
    name,
    servers: u.servers.map((s) => {
      const colon = s.address.lastIndexOf(':');
      return {
        id: s.id ?? s.address,
        address: s.address,
        host: s.address.slice(0, colon).replace(/^\[(.*)\]$/, '$1'),
        port: Number(s.address.slice(colon + 1)),
        weight: s.weight ?? D.DEFAULT_WEIGHT,
        maxConns: s.maxConns ?? 0,
        maxFails: s.maxFails ?? maxFails,
        failTimeout: s.failTimeout === undefined ? failTimeout : toMilliseconds(s.failTimeout),
        backup: s.backup ?? false,
        down: s.down ?? false,
      };
    }),
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
  };
}

function normalizeRoute(r: RouteConfig, index: number, config: ProxyConfig): ResolvedRoute {
  const upstream = r.proxy ? config.upstreams[r.proxy.upstream] : undefined;
  return {
    name: r.name ?? `route-${index}`,
    hosts: (r.match?.host ?? []).map((h) => (h.startsWith('~') ? h : h.toLowerCase())),
    path: r.match?.path ?? '/',
    pathRegex: r.match?.pathRegex ? new RegExp(r.match.pathRegex) : null,
    action: routeAction(r, upstream),
    requestHeaders: headerRules(r.requestHeaders),
    responseHeaders: headerRules(r.responseHeaders),
  };
}

function routeAction(r: RouteConfig, upstream: UpstreamConfig | undefined): ResolvedAction {
  if (r.proxy) {
    return {
      kind: 'proxy',
      upstream: r.proxy.upstream,
      retryNonIdempotent: r.proxy.retryNonIdempotent ?? upstream?.retry?.nonIdempotent ?? false,
      upgrades: (r.proxy.upgrades ?? D.DEFAULT_UPGRADES).map((p) => p.toLowerCase()),
    };
  }
  if (r.redirect) return { kind: 'redirect', location: r.redirect.location, status: r.redirect.status ?? D.DEFAULT_REDIRECT_STATUS };
  throw new Error('a route without an action passed validation'); // validate.ts requires exactly one
}

function headerRules(rules: RouteConfig['requestHeaders']): ResolvedHeaderRules {
  return {
    set: Object.entries(rules?.set ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
    remove: (rules?.remove ?? []).map((h) => h.toLowerCase()),
  };
}
