// Runs wrk (pinned to the load CPU) and parses its --latency report.
import path from 'node:path';
import { runToEnd } from './procs';

export interface WrkResult {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** connect + read + write + timeout socket errors. */
  socketErrors: number;
  non2xx3xx: number;
}

export interface WrkOptions {
  url: string;
  durationS: number;
  connections: number;
  cpu: string;
  logDir: string;
  /** Extra request headers ("Name: value"). */
  headers?: string[];
}

let runs = 0;

export async function runWrk(o: WrkOptions): Promise<WrkResult> {
  const args = ['-t1', `-c${o.connections}`, `-d${o.durationS}s`, '--latency', ...(o.headers ?? []).flatMap((h) => ['-H', h]), o.url];
  const out = await runToEnd('wrk', 'wrk', args, { cpu: o.cpu, logFile: path.join(o.logDir, `wrk-${++runs}.out`) }, o.durationS);
  return parseWrk(out);
}

const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function toMs(value: string, unit: string): number {
  const scale = TIME_UNITS[unit];
  if (scale === undefined) throw new Error(`wrk: unknown time unit "${unit}"`);
  return Number(value) * scale;
}

export function parseWrk(text: string): WrkResult {
  const need = (re: RegExp, what: string): RegExpExecArray => {
    const m = re.exec(text);
    if (!m) throw new Error(`wrk output has no ${what}:\n${text}`);
    return m;
  };
  const reqs = need(/(\d+) requests in ([\d.]+)(us|ms|s|m|h),/, 'request count');
  const rps = need(/Requests\/sec:\s+([\d.]+)/, 'Requests/sec');
  const p50 = need(/^\s*50%\s+([\d.]+)(us|ms|s|m|h)\s*$/m, '50% latency (was --latency given?)');
  const p99 = need(/^\s*99%\s+([\d.]+)(us|ms|s|m|h)\s*$/m, '99% latency');
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  return {
    requests: Number(reqs[1]),
    seconds: toMs(reqs[2], reqs[3]) / 1000,
    rps: Number(rps[1]),
    p50Ms: toMs(p50[1], p50[2]),
    p99Ms: toMs(p99[1], p99[2]),
    socketErrors: sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    non2xx3xx: non ? Number(non[1]) : 0,
  };
}
