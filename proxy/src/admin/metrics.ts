// Prometheus metrics (prom-client). Every value is read from the server book and the route stats
// when scraped (collect()), so the request path keeps bumping plain numbers and pays nothing here.
// One Registry per endpoint (never prom-client's global one): several proxies may share a process.
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { CacheZoneStats } from '../cache/cache-types';
import type { ServerRecord, ServerState } from '../upstream/server-state';
import type { AdminView } from './admin-view';
import { registerHistogram } from './metrics-histogram';

export interface MetricsEndpoint {
  readonly contentType: string;
  render(): Promise<string>;
}

export function createMetrics(view: AdminView): MetricsEndpoint {
  const registry = new Registry();
  defineServerMetrics(registry, view);
  defineRouteMetrics(registry, view);
  defineCacheMetrics(registry, view);
  new Gauge({ name: 'portico_start_time_seconds', help: 'When the proxy started (Unix time).', registers: [registry] }).set(view.startedAt / 1000);
  // CPU, memory, event loop lag, GC. Started here, not at the first scrape, so that scrape's event
  // loop figures cover a real interval (a monitor started just before reports NaN and nonsense).
  collectDefaultMetrics({ register: registry, prefix: 'portico_' });
  return { contentType: Registry.PROMETHEUS_CONTENT_TYPE, render: () => registry.metrics() };
}

const SERVER_LABELS = ['upstream', 'server'] as const;
const CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
// Every state, checked against the union by the compiler: each series is 1 for the current state.
const STATES = Object.keys({ up: 0, down: 0, unavailable: 0, draining: 0, checking: 0, unhealthy: 0 } satisfies Record<ServerState, 0>);

interface LiveServer {
  labels: { upstream: string; server: string };
  record: ServerRecord;
}

/** The servers of the config in force (a server removed by a reload drops out with its series). */
function* liveServers(view: AdminView): Generator<LiveServer> {
  for (const [upstream, u] of view.runtime().registry.upstreams) {
    for (const s of u.servers) yield { labels: { upstream, server: s.config.id }, record: s.record };
  }
}

function defineServerMetrics(registry: Registry, view: AdminView): void {
  const counter = (name: string, help: string, read: (r: ServerRecord) => number) =>
    new Counter({
      name,
      help,
      labelNames: SERVER_LABELS,
      registers: [registry],
      collect() {
        this.reset();
        for (const { labels, record } of liveServers(view)) this.inc(labels, read(record));
      },
    });
  const gauge = (name: string, help: string, read: (r: ServerRecord) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: SERVER_LABELS,
      registers: [registry],
      collect() {
        this.reset();
        for (const { labels, record } of liveServers(view)) {
          const value = read(record);
          if (value !== null) this.set(labels, value);
        }
      },
    });

  counter('portico_upstream_server_requests_total', 'Requests sent to the server (each attempt counts).', (r) => r.stats.requests);
  counter('portico_upstream_server_failures_total', 'Attempts that failed (error, timeout, or a status the retry rules count).', (r) => r.stats.failures);
  counter('portico_upstream_server_unavailable_total', 'Times the server was taken out of service by passive or active health.', (r) => r.stats.unavailableCount);
  counter('portico_upstream_server_received_bytes_total', 'Response body bytes received from the server.', (r) => r.stats.bytesReceived);
  counter('portico_upstream_server_tunnels_opened_total', 'Upgrades (WebSocket) to the server that became tunnels.', (r) => r.stats.tunnelsOpened);
  gauge('portico_upstream_server_active_requests', 'Requests and tunnels in flight on the server.', (r) => r.active);
  gauge('portico_upstream_server_tunnels', 'Open tunnels (WebSocket) to the server.', (r) => r.tunnels.size);
  gauge('portico_upstream_server_effective_weight', 'The weight the balancer uses now (slow start ramps it).', (r) => r.effectiveWeight);
  gauge('portico_upstream_server_health_check_ok', '1 when the last active health check passed, 0 when it failed (absent before the first).', (r) =>
    r.lastCheck === null ? null : Number(r.lastCheck.ok),
  );
  gauge('portico_upstream_server_health_check_timestamp_seconds', 'When the last active health check ended (Unix time).', (r) =>
    r.lastCheck === null ? null : r.lastCheck.at / 1000,
  );
  new Counter({
    name: 'portico_upstream_server_responses_total',
    help: 'Responses from the server by status class.',
    labelNames: [...SERVER_LABELS, 'code'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { labels, record } of liveServers(view)) {
        CLASSES.forEach((code, i) => this.inc({ ...labels, code }, record.stats.responses[i]));
      }
    },
  });
  new Gauge({
    name: 'portico_upstream_server_state',
    help: 'The state of the server: 1 for the current one, 0 for the others.',
    labelNames: [...SERVER_LABELS, 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { labels, record } of liveServers(view)) {
        for (const state of STATES) this.set({ ...labels, state }, state === record.state ? 1 : 0);
      }
    },
  });
  registerHistogram(registry, 'portico_upstream_server_response_duration_seconds', 'Time from sending the request to the response head.', function* () {
    for (const { labels, record } of liveServers(view)) yield { labels, histogram: record.stats.latency };
  });
}

function defineRouteMetrics(registry: Registry, view: AdminView): void {
  const routes = () => view.runtime().config.routes.map((r) => ({ route: r.name, stats: view.book.routeStats(r.name) }));
  new Counter({
    name: 'portico_route_requests_total',
    help: 'Requests matched by the route.',
    labelNames: ['route'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { route, stats } of routes()) this.inc({ route }, stats.requests);
    },
  });
  new Counter({
    name: 'portico_route_responses_total',
    help: 'Responses sent for the route by status class.',
    labelNames: ['route', 'code'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { route, stats } of routes()) CLASSES.forEach((code, i) => this.inc({ route, code }, stats.responses[i]));
    },
  });
}

/** Per zone of the config in force: counters from its stats, entries and bytes per tier. */
function defineCacheMetrics(registry: Registry, view: AdminView): void {
  const zones = () => view.runtime().caches.all();
  const counter = (stat: keyof CacheZoneStats, help: string) =>
    new Counter({
      name: `portico_cache_${stat}_total`,
      help,
      labelNames: ['zone'],
      registers: [registry],
      collect() {
        this.reset();
        for (const zone of zones()) this.inc({ zone: zone.name }, zone.stats[stat]);
      },
    });
  counter('hits', 'Requests answered from the cache (HIT).');
  counter('misses', 'Cache lookups that found nothing to serve (MISS, EXPIRED).');
  counter('bypasses', 'Requests that skipped the cache (bypass rules, Authorization, uncacheable methods).');
  counter('stale', 'Requests answered with a stale entry (STALE, UPDATING).');
  counter('revalidated', 'Expired entries refreshed by a 304 from the upstream (REVALIDATED).');
  counter('stores', 'Responses stored.');
  counter('evictions', 'Entries removed to stay within a size bound or for being inactive.');
  const gauge = (name: string, help: string, read: (t: { entries: number; bytes: number }) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['zone', 'tier'],
      registers: [registry],
      collect() {
        this.reset();
        for (const zone of zones()) {
          const { memory, disk } = zone.tiers();
          this.set({ zone: zone.name, tier: 'memory' }, read(memory));
          if (disk !== null) this.set({ zone: zone.name, tier: 'disk' }, read(disk));
        }
      },
    });
  gauge('portico_cache_bytes', 'Bytes held by the zone in each tier.', (t) => t.bytes);
  gauge('portico_cache_entries', 'Entries held by the zone in each tier (an entry may be in both).', (t) => t.entries);
}
