// The status JSON (in the spirit of the NGINX Plus API): per upstream server its state, load,
// counters, latency percentiles and last health check; per route its counts; per cache zone its
// counters and sizes. Read on demand from
// the ServerBook records and the runtime in force.
import type { CacheZoneStats } from '../cache/cache-types';
import type { Upstream } from '../upstream/upstream';
import type { UpstreamServer } from '../upstream/upstream-server';
import type { CheckResult, ServerState } from '../upstream/server-state';
import type { NameStatus } from '../acme/acme-manager';
import type { AdminView } from './admin-view';

export interface ResponseClasses {
  '1xx': number;
  '2xx': number;
  '3xx': number;
  '4xx': number;
  '5xx': number;
  total: number;
}

export interface ServerStatus {
  id: string;
  address: string;
  state: ServerState;
  backup: boolean;
  weight: number;
  effectiveWeight: number;
  active: number;
  tunnels: number;
  /** Draining with nothing left on it: a deploy may stop it now. */
  drained: boolean;
  requests: number;
  responses: ResponseClasses;
  failures: number;
  unavailable: number;
  bytesReceived: number;
  /** Time to the response head; each null before the first response. */
  latencyMs: { p50: number | null; p90: number | null; p99: number | null };
  lastCheck: CheckResult | null;
}

export interface UpstreamStatus {
  servers: ServerStatus[];
}

export interface RouteStatus {
  requests: number;
  responses: ResponseClasses;
}

/** A cache zone's counters (since start, kept across reloads) and what it holds now. */
export interface CacheStatus extends CacheZoneStats {
  entries: number;
  memoryBytes: number;
  diskBytes: number;
}

export interface StatusDocument {
  /** Epoch ms. */
  startedAt: number;
  uptimeMs: number;
  upstreams: Record<string, UpstreamStatus>;
  routes: Record<string, RouteStatus>;
  caches: Record<string, CacheStatus>;
  /** By hostname; only when the config has `acme`. */
  acme?: Record<string, Omit<NameStatus, 'hostname'>>;
}

export function statusDocument(view: AdminView, now = Date.now()): StatusDocument {
  const runtime = view.runtime();
  const upstreams: Record<string, UpstreamStatus> = {};
  for (const [name, upstream] of runtime.registry.upstreams) upstreams[name] = upstreamStatus(upstream);
  const current = new Set(runtime.config.routes.map((r) => r.name));
  const routes: Record<string, RouteStatus> = {};
  for (const [name, stats] of view.book.allRouteStats()) {
    if (current.has(name)) routes[name] = { requests: stats.requests, responses: responseClasses(stats.responses) };
  }
  const caches: Record<string, CacheStatus> = {};
  for (const zone of runtime.caches.all()) caches[zone.name] = { ...zone.stats, ...zone.usage() };
  const doc: StatusDocument = { startedAt: view.startedAt, uptimeMs: now - view.startedAt, upstreams, routes, caches };
  const acme = view.acme?.() ?? null;
  if (acme !== null) doc.acme = Object.fromEntries(acme.map(({ hostname, ...state }) => [hostname, state]));
  return doc;
}

export function upstreamStatus(upstream: Upstream): UpstreamStatus {
  return { servers: upstream.servers.map(serverStatus) };
}

export function serverStatus(server: UpstreamServer): ServerStatus {
  const r = server.record;
  const s = r.stats;
  return {
    id: server.id,
    address: server.config.address,
    state: r.state,
    backup: server.config.backup,
    weight: server.config.weight,
    effectiveWeight: r.effectiveWeight,
    active: r.active,
    tunnels: r.tunnels.size,
    drained: r.isDrained(),
    requests: s.requests,
    responses: responseClasses(s.responses),
    failures: s.failures,
    unavailable: s.unavailableCount,
    bytesReceived: s.bytesReceived,
    latencyMs: { p50: ms(s.latency.quantile(0.5)), p90: ms(s.latency.quantile(0.9)), p99: ms(s.latency.quantile(0.99)) },
    lastCheck: r.lastCheck,
  };
}

function responseClasses(counts: readonly number[]): ResponseClasses {
  const [a, b, c, d, e] = counts;
  return { '1xx': a, '2xx': b, '3xx': c, '4xx': d, '5xx': e, total: a + b + c + d + e };
}

/** Microsecond precision is plenty for bucket-interpolated percentiles. */
function ms(value: number | null): number | null {
  return value === null ? null : Math.round(value * 1000) / 1000;
}
