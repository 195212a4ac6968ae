// How many cores this process may use: the one sizing rule for app instances and proxy workers.
// Order: an explicit count; else the cgroup CPU quota (a container's `--cpus`); else
// os.availableParallelism(). Never below 1. `availableParallelism()` ignores cgroup quotas,
// which is why the quota is read first.
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface CoreSources {
  /** Root of the cgroup filesystem; tests point it at a folder of fake files. */
  cgroupRoot?: string;
  availableParallelism?: () => number;
}

export function sizeToCores(explicit?: number | null, sources: CoreSources = {}): number {
  if (explicit !== undefined && explicit !== null) {
    if (!Number.isInteger(explicit) || explicit < 1) throw new Error(`instance count must be a whole number >= 1, got ${explicit}`);
    return explicit;
  }
  const quota = cgroupCpuLimit(sources.cgroupRoot ?? '/sys/fs/cgroup');
  const parallelism = (sources.availableParallelism ?? os.availableParallelism)();
  const cores = quota === null ? parallelism : Math.min(quota, parallelism);
  return Math.max(1, Math.floor(cores));
}

/** CPUs allowed by the cgroup quota (v2 `cpu.max`, else v1 cfs files), or null when unlimited. */
export function cgroupCpuLimit(root: string): number | null {
  const v2 = read(`${root}/cpu.max`);
  if (v2 !== null) {
    const [quota, period] = v2.trim().split(/\s+/);
    if (quota === 'max') return null;
    return ratio(Number(quota), Number(period));
  }
  for (const dir of [`${root}/cpu`, `${root}/cpu,cpuacct`, root]) {
    const quota = read(`${dir}/cpu.cfs_quota_us`);
    const period = read(`${dir}/cpu.cfs_period_us`);
    if (quota !== null && period !== null) return Number(quota) < 0 ? null : ratio(Number(quota), Number(period));
  }
  return null;
}

function ratio(quota: number, period: number): number | null {
  if (!Number.isFinite(quota) || !Number.isFinite(period) || quota <= 0 || period <= 0) return null;
  return quota / period;
}

function read(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
