// One load run against a target with the generator its kind needs (load-kind.ts): wrk, h2load
// over HTTPS/1.1 or h2, or the WebSocket echo client; same connections, CPU and duration for all.
import { runH2load } from './h2load';
import { loadKindOf } from './load-kind';
import { HOST } from './net';
import { BODY_BYTES, type BodyName, type Settings } from './settings';
import type { RunningTarget } from './targets/types';
import { runWsLoad } from './ws-load-run';
import { runWrk, type WrkResult } from './wrk';

export interface LoadResult extends WrkResult {
  /** TLS version and cipher the h2load targets negotiated. */
  tls?: string;
}

/** `timed`: the measured run (a warm-up skips h2load's per-request log). */
export async function runLoad(t: RunningTarget, body: BodyName, durationS: number, timed: boolean, s: Settings, logDir: string): Promise<LoadResult> {
  const kind = loadKindOf(t.name);
  const common = { durationS, connections: s.connections, cpu: s.loadCpu, logDir };
  switch (kind) {
    case 'wrk':
      return runWrk({ ...common, url: `http://${HOST}:${t.port}/${body}`, headers: t.headers });
    case 'h2load-h1':
    case 'h2load-h2':
      return runH2load({ ...common, url: `https://${HOST}:${t.port}/${body}`, h1: kind === 'h2load-h1', latency: timed });
    case 'ws':
      return runWsLoad({ ...common, url: `ws://${HOST}:${t.port}/echo`, messageBytes: BODY_BYTES[body], maxMessages: s.wsMessages });
  }
}
