// Medians per (target, body) over the repetitions.
import type { RunResult } from './measure';
import type { BodyName } from './settings';

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Nearest-rank percentile (q in 0..1) of values already sorted ascending. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export interface Summary {
  target: string;
  label: string;
  body: BodyName;
  runs: number;
  rps: number;
  rpsMin: number;
  rpsMax: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerReq: number | null;
  socketErrors: number;
  non2xx3xx: number;
  /** Set when the target failed; its numbers then cover only the runs before the failure. */
  failure?: string;
}

export function summarize(target: string, label: string, body: BodyName, runs: RunResult[], failure?: string): Summary {
  const cpu = runs.map((r) => r.cpuUsPerReq).filter((c): c is number => c !== null);
  const rps = runs.map((r) => r.rps);
  return {
    target,
    label,
    body,
    runs: runs.length,
    rps: median(rps),
    rpsMin: rps.length ? Math.min(...rps) : NaN,
    rpsMax: rps.length ? Math.max(...rps) : NaN,
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    cpuUsPerReq: cpu.length ? median(cpu) : null,
    socketErrors: runs.reduce((a, r) => a + r.socketErrors, 0),
    non2xx3xx: runs.reduce((a, r) => a + r.non2xx3xx, 0),
    failure,
  };
}
