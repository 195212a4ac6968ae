import { markdown, pairLine, referenceLine, type Environment, type Pair } from '../../bench/report';
import { readSettings } from '../../bench/settings';
import type { Summary } from '../../bench/stats';
import type { RunResult } from '../../bench/measure';

const summary = (target: string, rps: number, cpuUsPerReq: number | null, p99Ms = 10): Summary => ({
  target,
  label: target,
  body: '1k',
  runs: 3,
  rps,
  rpsMin: rps,
  rpsMax: rps,
  p50Ms: 1,
  p99Ms,
  cpuUsPerReq,
  socketErrors: 0,
  non2xx3xx: 0,
});

describe('bench pair lines (Portico/nginx against an issue budget)', () => {
  const https: Pair = { portico: 'portico-https', nginx: 'nginx-https', title: 'HTTPS/1.1, Portico/nginx', budget: { minRps: 0.8 } };
  const ws: Pair = { portico: 'portico-ws', nginx: 'nginx-ws', title: 'WebSocket echo, Portico/nginx', budget: { maxCpu: 1.3 } };

  it('judges a throughput-only budget by rps alone', () => {
    expect(pairLine(https, summary('portico-https', 8000, 90), summary('nginx-https', 10000, 30))).toBe(
      'HTTPS/1.1, Portico/nginx: rps 0.80x, CPU per request 3.00x, p99 1.00x (budget: rps ≥ 0.8x: met)',
    );
    expect(pairLine(https, summary('portico-https', 7900, 30), summary('nginx-https', 10000, 30))).toMatch(/\(budget: rps ≥ 0\.8x: MISSED\)$/);
  });

  it('judges a CPU-only budget per message for WebSocket targets', () => {
    expect(pairLine(ws, summary('portico-ws', 5000, 39, 20), summary('nginx-ws', 10000, 30))).toBe(
      'WebSocket echo, Portico/nginx: msgs/s 0.50x, CPU per message 1.30x, p99 2.00x (budget: CPU ≤ 1.3x: met)',
    );
    expect(pairLine(ws, summary('portico-ws', 20000, 40), summary('nginx-ws', 10000, 30))).toMatch(/\(budget: CPU ≤ 1\.3x: MISSED\)$/);
  });

  it('judges both terms when a budget has both', () => {
    const cache: Pair = { portico: 'portico-cache', nginx: 'nginx-cache', title: 'cache', budget: { minRps: 0.9, maxCpu: 1.2 } };
    expect(pairLine(cache, summary('portico-cache', 9500, 13), summary('nginx-cache', 10000, 12))).toMatch(/\(budget: rps ≥ 0\.9x, CPU ≤ 1\.2x: met\)$/);
    expect(pairLine(cache, summary('portico-cache', 9500, 15), summary('nginx-cache', 10000, 12))).toMatch(/MISSED\)$/);
  });

  it('gives no verdict without CPU figures', () => {
    expect(pairLine(https, summary('portico-https', 9000, null), summary('nginx-https', 10000, 30))).not.toMatch(/budget/);
  });
});

describe('bench Node floor lines (a reference beside a budget, never judged as one)', () => {
  const cache: Pair = { portico: 'portico-cache', nginx: 'nginx-cache', title: 'cache', budget: { minRps: 0.9, maxCpu: 1.2 }, reference: 'node-http' };
  const h2: Pair = { portico: 'portico-h2', nginx: 'nginx-h2', title: 'h2', budget: { minRps: 0.7 }, reference: 'node-h2' };

  it('gives the floor in the budget\'s terms, CPU first, and says the budget lies within it', () => {
    expect(referenceLine(cache, summary('node-http', 9500, 12.84), summary('nginx-cache', 10000, 12))).toBe(
      'Node floor (no proxy work; not a budget): node:http fixed buffer / nginx-cache: CPU 1.07x, rps 0.95x (the budget is within Node\'s floor)',
    );
  });

  it('names the terms of the budget that Node alone already misses', () => {
    expect(referenceLine(h2, summary('node-h2', 6200, 40), summary('nginx-h2', 10000, 20))).toBe(
      'Node floor (no proxy work; not a budget): node:http2 fixed buffer / nginx-h2: rps 0.62x (Node alone already misses the budget\'s rps ≥ 0.7x)',
    );
    expect(referenceLine(cache, summary('node-http', 8000, 15), summary('nginx-cache', 10000, 12))).toMatch(/misses the budget's rps ≥ 0\.9x, CPU ≤ 1\.2x\)$/);
  });

  it('gives no verdict on a CPU budget without CPU figures', () => {
    expect(referenceLine(cache, summary('node-http', 9500, null), summary('nginx-cache', 10000, 12))).toBe(
      'Node floor (no proxy work; not a budget): node:http fixed buffer / nginx-cache: CPU —, rps 0.95x',
    );
  });

  it('is printed for a pair whose nginx side and floor ran, with or without Portico', () => {
    const env: Environment = { date: 'd', node: 'v20', proxyNode: 'v20', nginx: '1', haproxy: '1', wrk: '1', h2load: '1', cpu: 'c', clockTicks: 100, commit: 'x' };
    const s = { ...readSettings({}), targets: ['nginx-h2' as const, 'node-h2' as const], bodies: ['1k' as const] };
    const out = markdown([summary('nginx-h2', 10000, 20), summary('node-h2', 6200, 40)], [], s, env);
    expect(out).toContain('\nNode floor (no proxy work; not a budget): node:http2 fixed buffer / nginx-h2: rps 0.62x');
    expect(out).not.toContain('h2, Portico/nginx');
  });

  it('names the node the proxies ran on when BENCH_NODE chose another one', () => {
    const env: Environment = { date: 'd', node: 'v20.1.0', proxyNode: 'v22.2.0', nginx: '1', haproxy: '1', wrk: '1', h2load: '1', cpu: 'c', clockTicks: 100, commit: 'x' };
    const s = { ...readSettings({ BENCH_NODE: '/opt/node22/bin/node' }), targets: ['nginx' as const], bodies: ['1k' as const] };
    expect(s.proxyNode).toBe('/opt/node22/bin/node');
    expect(markdown([], [], s, env)).toContain('node v20.1.0 (Portico, fastify and the Node floor: node v22.2.0, BENCH_NODE), nginx 1');
    expect(markdown([], [], s, { ...env, proxyNode: 'v20.1.0' })).toContain('node v20.1.0, nginx 1');
    expect(readSettings({}).proxyNode).toBe(process.execPath);
  });

  it("prints how busy the other targets' processes were during the timed runs", () => {
    const env: Environment = { date: 'd', node: 'v20', proxyNode: 'v20', nginx: '1', haproxy: '1', wrk: '1', h2load: '1', cpu: 'c', clockTicks: 100, commit: 'x' };
    const s = { ...readSettings({}), targets: ['nginx' as const, 'portico' as const], bodies: ['1k' as const] };
    const run = (target: string, idleTargetsPct: number) => ({ target, body: '1k', rep: 1, otherCpuPct: 0, stealPct: 0, idleTargetsPct }) as unknown as RunResult;
    const out = markdown([summary('nginx', 10000, 20)], [run('nginx', 1), run('portico', 22), run('nginx', 3)], s, env);
    expect(out).toContain("- the other targets' processes (idle between their runs) during the timed runs: median 3% of a core, worst 22% (portico, rep 1)");
  });
});
