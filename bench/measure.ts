// One measured run: a warm-up load run, then a timed one (wrk, h2load or ws-load: load.ts) with the
// proxy's CPU time read around it.
import { checkTarget } from './check';
import { cpuSeconds, cpuSecondsOf } from './cpu';
import { runLoad, type LoadResult } from './load';
import { noiseBetween, snapshot, waitForQuiet, type Noise } from './noise';
import type { BodyName, Settings } from './settings';
import type { RunningTarget } from './targets/types';

export interface RunResult extends LoadResult, Noise {
  target: string;
  body: BodyName;
  rep: number;
  /** Proxy CPU seconds (user+system, with children) during the timed run; null for direct. */
  cpuS: number | null;
  cpuUsPerReq: number | null;
  /** Seconds spent waiting for the machine to quiet down before this run. */
  quietWaitS: number;
  /**
   * CPU the other targets' processes used during the timed run, in % of one core: they are idle
   * between their own runs, and one that is not takes the proxy core from the target measured.
   */
  idleTargetsPct: number;
}

/** CPU seconds of the targets' processes (their children included), those gone since left out. */
function targetsCpu(targets: readonly RunningTarget[]): number {
  return cpuSecondsOf(targets.flatMap((t) => (t.proc?.pid === undefined ? [] : [t.proc.pid])));
}

export async function measure(t: RunningTarget, body: BodyName, rep: number, s: Settings, logDir: string, others: readonly RunningTarget[] = []): Promise<RunResult> {
  const quiet = s.quietMaxS > 0 ? await waitForQuiet(s.quietPct, s.quietMaxS) : { waitedS: 0 };
  if (s.warmupS > 0) await runLoad(t, body, s.warmupS, false, s, logDir);
  const pid = t.proc?.pid;
  const before = pid === undefined ? 0 : cpuSeconds(pid);
  const idle = others.filter((o) => o !== t);
  const idleBefore = targetsCpu(idle);
  const machineBefore = snapshot();
  const res = await runLoad(t, body, s.durationS, true, s, logDir);
  const machineAfter = snapshot();
  const idleS = targetsCpu(idle) - idleBefore;
  const cpuS = pid === undefined ? null : cpuSeconds(pid) - before;
  // Still answering correctly after the load?
  await checkTarget(t, body);
  return {
    ...res,
    ...noiseBetween(machineBefore, machineAfter),
    target: t.name,
    body,
    rep,
    cpuS,
    quietWaitS: quiet.waitedS,
    idleTargetsPct: Math.max(0, (idleS / (machineAfter.at - machineBefore.at)) * 100),
    cpuUsPerReq: cpuS === null || res.requests === 0 ? null : (cpuS * 1e6) / res.requests,
  };
}
