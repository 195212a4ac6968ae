// How much CPU other processes on the machine (not the bench's own) used during a timed run:
// this machine is shared, and a busy neighbour skews a run. Reported, not corrected for.
import { cpuSecondsOf, machineSeconds, ownCpuSeconds } from './cpu';
import { managedPids } from './procs';

interface Snapshot {
  busy: number;
  steal: number;
  bench: number;
  /** Wall clock, seconds. */
  at: number;
}

export interface Noise {
  /** CPU used by processes outside the bench, in % of one core over the run. */
  otherCpuPct: number;
  /** Hypervisor steal, in % of one core over the run. */
  stealPct: number;
}

export function snapshot(): Snapshot {
  const bench = ownCpuSeconds() + cpuSecondsOf(managedPids());
  return { ...machineSeconds(), bench, at: performance.now() / 1000 };
}

export function noiseBetween(a: Snapshot, b: Snapshot): Noise {
  const seconds = b.at - a.at;
  const other = b.busy - a.busy - (b.bench - a.bench);
  return {
    otherCpuPct: Math.max(0, (other / seconds) * 100),
    stealPct: ((b.steal - a.steal) / seconds) * 100,
  };
}

/**
 * Waits (up to maxS seconds) until processes outside the bench use less than maxPct of a core,
 * sampled over half a second. Returns the last sample; proceeds anyway after maxS.
 */
export async function waitForQuiet(maxPct: number, maxS: number): Promise<{ otherCpuPct: number; waitedS: number }> {
  const start = performance.now();
  for (;;) {
    const a = snapshot();
    await new Promise((r) => setTimeout(r, 500));
    const { otherCpuPct } = noiseBetween(a, snapshot());
    const waitedS = (performance.now() - start) / 1000;
    if (otherCpuPct < maxPct || waitedS >= maxS) return { otherCpuPct, waitedS };
  }
}
