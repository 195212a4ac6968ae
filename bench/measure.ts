// One measured run: a warm-up wrk, then a timed wrk with the proxy's CPU time read around it.
import { cpuSeconds } from './cpu';
import { checkResponse, HOST } from './net';
import { noiseBetween, snapshot, waitForQuiet, type Noise } from './noise';
import type { BodyName, Settings } from './settings';
import { BODY_BYTES } from './settings';
import type { RunningTarget } from './targets/types';
import { runWrk, type WrkResult } from './wrk';

export interface RunResult extends WrkResult, Noise {
  target: string;
  body: BodyName;
  rep: number;
  /** Proxy CPU seconds (user+system, with children) during the timed run; null for direct. */
  cpuS: number | null;
  cpuUsPerReq: number | null;
  /** Seconds spent waiting for the machine to quiet down before this run. */
  quietWaitS: number;
}

export async function measure(t: RunningTarget, body: BodyName, rep: number, s: Settings, logDir: string): Promise<RunResult> {
  const url = `http://${HOST}:${t.port}/${body}`;
  const wrk = { url, connections: s.connections, cpu: s.loadCpu, logDir, headers: t.headers };
  const quiet = s.quietMaxS > 0 ? await waitForQuiet(s.quietPct, s.quietMaxS) : { waitedS: 0 };
  if (s.warmupS > 0) await runWrk({ ...wrk, durationS: s.warmupS });
  const pid = t.proc?.pid;
  const before = pid === undefined ? 0 : cpuSeconds(pid);
  const machineBefore = snapshot();
  const res = await runWrk({ ...wrk, durationS: s.durationS });
  const machineAfter = snapshot();
  const cpuS = pid === undefined ? null : cpuSeconds(pid) - before;
  // Still answering correctly after the load?
  await checkResponse(t.port, `/${body}`, BODY_BYTES[body]);
  return {
    ...res,
    ...noiseBetween(machineBefore, machineAfter),
    target: t.name,
    body,
    rep,
    cpuS,
    quietWaitS: quiet.waitedS,
    cpuUsPerReq: cpuS === null || res.requests === 0 ? null : (cpuS * 1e6) / res.requests,
  };
}
