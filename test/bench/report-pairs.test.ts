import { pairLine, type Pair } from '../../bench/report';
import type { Summary } from '../../bench/stats';

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
