// Prometheus metrics read from a real proxy's server book after real traffic: exact counters per
// server and route, the state enum, the latency histogram, and a well-formed exposition.
import { createMetrics } from '../../proxy/src/admin/metrics';
import { resolveConfig } from '../../proxy/src/config/load';
import type { ProxyConfig } from '../../proxy/src/config/schema';
import { LATENCY_BUCKETS } from '../../proxy/src/upstream/server-stats';
import { refusedAddress, request, startBackend, startProxy, type RunningProxy } from '../helpers/servers';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Exposition {
  samples: Sample[];
  help: Map<string, string>;
  type: Map<string, string>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;

/** Parses the text format line by line; throws on any line that is not a comment or a sample. */
function parse(text: string): Exposition {
  const out: Exposition = { samples: [], help: new Map(), type: new Map() };
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const comment = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (comment) {
      const map = comment[1] === 'HELP' ? out.help : out.type;
      expect(map.has(comment[2])).toBe(false);
      map.set(comment[2], comment[3]);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    // its family's # HELP and # TYPE come before it
    const name = family(out, m[1]);
    if (!out.help.has(name) || !out.type.has(name)) throw new Error(`${m[1]}: no # HELP and # TYPE before it`);
    out.samples.push({ name: m[1], labels: parseLabels(m[2] ?? ''), value: parseValue(m[3]) });
  }
  return out;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const m = LABEL.exec(text);
    if (!m) throw new Error(`bad labels: ${text}`);
    labels[m[1]] = m[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  // prom-client writes NaN as "Nan"; Prometheus reads it case-insensitively (Go's ParseFloat)
  if (/^nan$/i.test(text)) return NaN;
  const value = Number(text);
  if (Number.isNaN(value) || text.trim() !== text || text === '') throw new Error(`bad value: ${text}`);
  return value;
}

/** The metric family a sample belongs to (histograms and summaries add suffixes). */
function family(exp: Exposition, name: string): string {
  return exp.type.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
}

function value(exp: Exposition, name: string, labels: Record<string, string>): number | undefined {
  const found = exp.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value;
}

async function scrape(running: RunningProxy): Promise<Exposition> {
  const metrics = createMetrics({ book: running.proxy.runtime.registry.book, runtime: () => running.proxy.runtime, startedAt: Date.now() });
  expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parse(await metrics.render());
}

/** `app` (one server answering 200 on /ok and 500 on /boom) and `dead` (a refused port). */
async function trafficSetup(): Promise<{ running: RunningProxy; config: Omit<ProxyConfig, 'listeners'> }> {
  const backend = await startBackend((req, res) => {
    res.statusCode = req.url === '/boom' ? 500 : 200;
    // /ok takes a few ms, so latency sums are above zero on any machine (a local answer can take < 1 ms).
    if (req.url === '/ok') setTimeout(() => res.end('hello'), 3);
    else res.end(req.url === '/boom' ? 'boom' : 'hello');
  });
  const config: Omit<ProxyConfig, 'listeners'> = {
    upstreams: {
      app: { servers: [{ id: 'a "quoted" \\ id', address: backend.address }] },
      dead: { servers: [{ id: 'gone', address: await refusedAddress() }] },
    },
    routes: [
      { name: 'dead-route', match: { path: '/dead' }, proxy: { upstream: 'dead' } },
      { name: 'main', proxy: { upstream: 'app' } },
    ],
  };
  return { running: await startProxy(config), config };
}

async function send(running: RunningProxy, path: string, times: number, status: number): Promise<void> {
  for (let i = 0; i < times; i++) expect((await request(running.url + path)).status).toBe(status);
}

describe('Prometheus metrics', () => {
  test('count each server and route exactly, from real traffic', async () => {
    const { running } = await trafficSetup();
    await send(running, '/ok', 3, 200);
    await send(running, '/boom', 2, 500);
    await send(running, '/dead', 1, 502);
    const exp = await scrape(running);

    const a = { upstream: 'app', server: 'a "quoted" \\ id' };
    const gone = { upstream: 'dead', server: 'gone' };
    expect(value(exp, 'portico_upstream_server_requests_total', a)).toBe(5);
    expect(value(exp, 'portico_upstream_server_responses_total', { ...a, code: '2xx' })).toBe(3);
    expect(value(exp, 'portico_upstream_server_responses_total', { ...a, code: '5xx' })).toBe(2);
    expect(value(exp, 'portico_upstream_server_responses_total', { ...a, code: '4xx' })).toBe(0);
    expect(value(exp, 'portico_upstream_server_failures_total', a)).toBe(0);
    expect(value(exp, 'portico_upstream_server_received_bytes_total', a)).toBe(3 * 'hello'.length + 2 * 'boom'.length);
    expect(value(exp, 'portico_upstream_server_requests_total', gone)).toBe(1);
    expect(value(exp, 'portico_upstream_server_failures_total', gone)).toBe(1);
    expect(value(exp, 'portico_upstream_server_responses_total', { ...gone, code: '5xx' })).toBe(0);
    expect(value(exp, 'portico_upstream_server_active_requests', a)).toBe(0);
    expect(value(exp, 'portico_upstream_server_tunnels', a)).toBe(0);
    // no active checks configured: no health series
    expect(value(exp, 'portico_upstream_server_health_check_ok', a)).toBeUndefined();

    expect(value(exp, 'portico_route_requests_total', { route: 'main' })).toBe(5);
    expect(value(exp, 'portico_route_responses_total', { route: 'main', code: '2xx' })).toBe(3);
    expect(value(exp, 'portico_route_responses_total', { route: 'main', code: '5xx' })).toBe(2);
    expect(value(exp, 'portico_route_requests_total', { route: 'dead-route' })).toBe(1);
    expect(value(exp, 'portico_route_responses_total', { route: 'dead-route', code: '5xx' })).toBe(1);
  });

  test('the state is an enum: 1 for the current state, 0 for each other', async () => {
    const { running } = await trafficSetup();
    const gone = running.proxy.runtime.registry.book.all().find((r) => r.id === 'gone')!;
    gone.transition('draining', 'admin', 'test');
    gone.lastCheck = { at: 1_700_000_000_500, ok: false, status: 503, reason: 'status 503', durationMs: 3 };
    const exp = await scrape(running);
    expect(value(exp, 'portico_upstream_server_health_check_ok', { server: 'gone' })).toBe(0);
    expect(value(exp, 'portico_upstream_server_health_check_timestamp_seconds', { server: 'gone' })).toBe(1_700_000_000.5);
    const states = (server: string) =>
      Object.fromEntries(exp.samples.filter((s) => s.name === 'portico_upstream_server_state' && s.labels.server === server).map((s) => [s.labels.state, s.value]));
    expect(states('gone')).toEqual({ up: 0, down: 0, unavailable: 0, draining: 1, checking: 0, unhealthy: 0 });
    expect(states('a "quoted" \\ id')).toEqual({ up: 1, down: 0, unavailable: 0, draining: 0, checking: 0, unhealthy: 0 });
  });

  test('the latency histogram is cumulative and counts every response', async () => {
    const { running } = await trafficSetup();
    await send(running, '/ok', 4, 200);
    await send(running, '/boom', 3, 500);
    const exp = await scrape(running);
    const name = 'portico_upstream_server_response_duration_seconds';
    expect(exp.type.get(name)).toBe('histogram');
    const buckets = exp.samples.filter((s) => s.name === `${name}_bucket` && s.labels.upstream === 'app');
    expect(buckets.map((b) => b.labels.le)).toEqual([...LATENCY_BUCKETS.map(String), '+Inf']);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i].value).toBeGreaterThanOrEqual(buckets[i - 1].value);
    const a = { upstream: 'app', server: 'a "quoted" \\ id' };
    expect(buckets.at(-1)!.value).toBe(7);
    expect(value(exp, `${name}_count`, a)).toBe(7);
    const sum = value(exp, `${name}_sum`, a)!;
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThan(7 * 5); // seconds, not ms: 7 local answers take far less than 5 s each
    // the refused server never answered: a histogram of zeros, still complete
    expect(value(exp, `${name}_count`, { upstream: 'dead', server: 'gone' })).toBe(0);
    expect(value(exp, `${name}_bucket`, { upstream: 'dead', server: 'gone', le: '+Inf' })).toBe(0);
  });

  test('every sample belongs to a family with # HELP and # TYPE, process metrics included', async () => {
    const { running } = await trafficSetup();
    await send(running, '/ok', 1, 200);
    const exp = await scrape(running);
    // (parse() has checked that each sample's family has # HELP and # TYPE before it)
    expect(exp.samples.length).toBeGreaterThan(50);
    for (const sample of exp.samples) expect(sample.name).toMatch(/^portico_/);
    for (const [name, type] of exp.type) {
      expect(['counter', 'gauge', 'histogram', 'summary']).toContain(type);
      if (type === 'counter') expect(name.endsWith('_total')).toBe(true);
    }
    expect(exp.type.get('portico_process_cpu_user_seconds_total')).toBe('counter');
    expect(value(exp, 'portico_process_resident_memory_bytes', {})).toBeGreaterThan(0);
  });

  test('two proxies in one process keep their own numbers', async () => {
    const first = await trafficSetup();
    const second = await trafficSetup();
    await send(first.running, '/ok', 2, 200);
    await send(second.running, '/ok', 5, 200);
    const [one, two] = [await scrape(first.running), await scrape(second.running)];
    const a = { upstream: 'app', server: 'a "quoted" \\ id' };
    expect(value(one, 'portico_upstream_server_requests_total', a)).toBe(2);
    expect(value(two, 'portico_upstream_server_requests_total', a)).toBe(5);
    expect(value(one, 'portico_route_requests_total', { route: 'main' })).toBe(2);
    expect(value(two, 'portico_route_requests_total', { route: 'main' })).toBe(5);
  });

  test('a scrape reads the numbers of that moment (nothing is cached between scrapes)', async () => {
    const { running } = await trafficSetup();
    const metrics = createMetrics({ book: running.proxy.runtime.registry.book, runtime: () => running.proxy.runtime, startedAt: 0 });
    await send(running, '/ok', 1, 200);
    const a = { upstream: 'app', server: 'a "quoted" \\ id' };
    expect(value(parse(await metrics.render()), 'portico_upstream_server_requests_total', a)).toBe(1);
    await send(running, '/ok', 2, 200);
    expect(value(parse(await metrics.render()), 'portico_upstream_server_requests_total', a)).toBe(3);
  });

  test('a server removed by a reload leaves the metrics', async () => {
    const { running, config } = await trafficSetup();
    await send(running, '/dead', 1, 502);
    const next = { ...config, upstreams: { ...config.upstreams, dead: { servers: [{ id: 'other', address: '127.0.0.1:9' }] } } };
    await running.proxy.reload(resolveConfig({ ...next, listeners: [{ port: running.port, host: '127.0.0.1' }], log: { level: 'silent' } }, 'test'));
    const exp = await scrape(running);
    expect(exp.samples.some((s) => s.labels.server === 'gone')).toBe(false);
    expect(value(exp, 'portico_upstream_server_requests_total', { upstream: 'dead', server: 'other' })).toBe(0);
  });
});
