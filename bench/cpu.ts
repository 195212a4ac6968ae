// CPU time of a process and its live descendants (e.g. the nginx worker), from /proc/<pid>/stat.
// utime+stime of a process already include all its threads; in clock ticks (getconf CLK_TCK).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const out = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim();
    const n = Number(out);
    ticksPerSecond = Number.isInteger(n) && n > 0 ? n : 100;
  }
  return ticksPerSecond;
}

interface Stat {
  ppid: number;
  ticks: number;
}

/** Fields after the `(comm)` of /proc/<pid>/stat: ppid is field 4, utime 14, stime 15 (1-based). */
function readStat(pid: number): Stat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  return { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) };
}

function allStats(): Map<number, Stat> {
  const stats = new Map<number, Stat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) stats.set(Number(name), s);
  }
  return stats;
}

function treeOf(root: number, stats: Map<number, Stat>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) {
    const list = children.get(s.ppid) ?? [];
    list.push(pid);
    children.set(s.ppid, list);
  }
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Live descendants of pid (not pid itself). */
export function descendants(pid: number): number[] {
  return treeOf(pid, allStats());
}

/** CPU seconds (user+system) used so far by pid and its live descendants. */
export function cpuSeconds(pid: number): number {
  const stats = allStats();
  const own = stats.get(pid);
  if (!own) throw new Error(`process ${pid} is gone`);
  let ticks = own.ticks;
  for (const d of treeOf(pid, stats)) ticks += stats.get(d)!.ticks;
  return ticks / clockTicks();
}

/**
 * CPU seconds of each live pid and its live descendants, summed (one read of /proc for all);
 * pids that are gone count nothing.
 */
export function cpuSecondsOf(pids: Iterable<number>): number {
  const stats = allStats();
  let ticks = 0;
  for (const pid of pids) {
    const own = stats.get(pid);
    if (!own) continue;
    ticks += own.ticks;
    for (const d of treeOf(pid, stats)) ticks += stats.get(d)!.ticks;
  }
  return ticks / clockTicks();
}

/** CPU seconds of this process plus its reaped children (e.g. finished wrk runs). */
export function ownCpuSeconds(): number {
  const rest = readFileSync('/proc/self/stat', 'utf8');
  const f = rest.slice(rest.lastIndexOf(')') + 2).split(' ');
  // utime, stime, cutime, cstime are fields 14-17.
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / clockTicks();
}

/** Busy and steal CPU seconds of the whole machine, all CPUs, from /proc/stat. */
export function machineSeconds(): { busy: number; steal: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  // cpu user nice system idle iowait irq softirq steal ...
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return { busy: (user + nice + system + irq + softirq) / clockTicks(), steal: steal / clockTicks() };
}
