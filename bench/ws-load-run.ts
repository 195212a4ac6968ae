// Runs ws-load.ts (the WebSocket echo client) pinned to the load CPU and reads its JSON report as
// a wrk-shaped result: one echoed message counts as one request.
import path from 'node:path';
import { runToEnd } from './procs';
import type { WrkResult } from './wrk';

/** What ws-load.ts prints: one JSON line. */
export interface WsLoadReport {
  /** Echoes received inside the timed window. */
  messages: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  /** Connection errors, early closes and echoes of the wrong size. */
  errors: number;
}

export interface WsLoadOptions {
  url: string;
  connections: number;
  durationS: number;
  messageBytes: number;
  maxMessages: number;
  cpu: string;
  logDir: string;
}

let runs = 0;

export async function runWsLoad(o: WsLoadOptions): Promise<WrkResult> {
  const args = [o.url, o.connections, o.durationS, o.messageBytes, o.maxMessages].map(String);
  const launch = ['--import', 'tsx', path.join(__dirname, 'ws-load.ts'), ...args];
  const out = await runToEnd('ws-load', process.execPath, launch, { cpu: o.cpu, cwd: path.resolve(__dirname, '..'), logFile: path.join(o.logDir, `ws-load-${++runs}.out`) }, o.durationS);
  return parseWsLoad(out);
}

export function parseWsLoad(text: string): WrkResult {
  const line = text.trim().split('\n').pop() ?? '';
  let report: Partial<Record<keyof WsLoadReport, unknown>>;
  try {
    report = JSON.parse(line) as typeof report;
  } catch {
    throw new Error(`ws-load printed no JSON report: ${JSON.stringify(text.slice(-500))}`);
  }
  const field = (name: keyof WsLoadReport, nanOk = false): number => {
    const v = report[name];
    if (typeof v === 'number' && (Number.isFinite(v) ? v >= 0 : nanOk)) return v;
    if (v === null && nanOk) return NaN; // JSON writes NaN (no echo at all) as null
    throw new Error(`ws-load report: ${name} is ${JSON.stringify(v)}, expected a number >= 0`);
  };
  const messages = field('messages');
  const seconds = field('seconds');
  if (messages === 0 || seconds === 0) throw new Error(`ws-load: no message echoed (${line})`);
  return {
    requests: messages,
    seconds,
    rps: messages / seconds,
    p50Ms: field('p50Ms', true),
    p99Ms: field('p99Ms', true),
    socketErrors: field('errors'),
    non2xx3xx: 0,
  };
}
