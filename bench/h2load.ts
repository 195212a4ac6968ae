// Runs h2load (nghttp2-client, pinned to the load CPU) for the TLS targets and parses its report:
// HTTPS/1.1 with --h1 and h2 with one stream per connection, so both protocols carry the same
// concurrency as wrk's -c. h2load prints no percentiles: p50/p99 come from its --log-file (one row
// per request, the last column its duration in µs).
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { runToEnd } from './procs';
import { percentile } from './stats';
import type { WrkResult } from './wrk';

export interface H2loadResult extends WrkResult {
  /** ALPN result h2load reports ("h2", "http/1.1"). */
  protocol: string;
  /** e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384". */
  tls: string;
}

export interface H2loadOptions {
  url: string;
  h1: boolean;
  durationS: number;
  connections: number;
  cpu: string;
  logDir: string;
  /** Per-request latencies are read only for timed runs (the file is large, and deleted after). */
  latency: boolean;
}

let runs = 0;

export async function runH2load(o: H2loadOptions): Promise<H2loadResult> {
  const n = ++runs;
  const requestLog = path.join(o.logDir, `h2load-${n}.tsv`);
  const args = ['-t1', `-c${o.connections}`, '-m1', '-D', String(o.durationS), ...(o.h1 ? ['--h1'] : []), ...(o.latency ? ['--log-file', requestLog] : []), o.url];
  const out = await runToEnd('h2load', 'h2load', args, { cpu: o.cpu, logFile: path.join(o.logDir, `h2load-${n}.out`) }, o.durationS);
  const summary = parseH2load(out);
  const want = o.h1 ? 'http/1.1' : 'h2';
  if (summary.protocol !== want) throw new Error(`h2load negotiated "${summary.protocol}", expected ${want}`);
  if (!o.latency) return { ...summary, p50Ms: NaN, p99Ms: NaN };
  try {
    return { ...summary, ...requestLatency(readFileSync(requestLog, 'utf8')) };
  } finally {
    rmSync(requestLog, { force: true });
  }
}

export type H2loadSummary = Omit<H2loadResult, 'p50Ms' | 'p99Ms'>;

export function parseH2load(text: string): H2loadSummary {
  const need = (re: RegExp, what: string): RegExpExecArray => {
    const m = re.exec(text);
    if (!m) throw new Error(`h2load output has no ${what}:\n${text.slice(-2000)}`);
    return m;
  };
  const finished = need(/^finished in ([\d.]+)(ms|s), ([\d.]+) req\/s/m, '"finished in" line');
  const reqs = need(/^requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/m, 'requests line');
  const codes = need(/^status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/m, 'status codes line');
  const succeeded = Number(reqs[4]);
  if (succeeded === 0) throw new Error(`h2load: no request succeeded:\n${text.slice(-2000)}`);
  const protocol = /^Application protocol: (\S+)/m.exec(text)?.[1] ?? '(none)';
  const tlsVersion = /^TLS Protocol: (\S+)/m.exec(text)?.[1];
  const cipher = /^Cipher: (\S+)/m.exec(text)?.[1];
  const non2xx3xx = Number(codes[3]) + Number(codes[4]);
  // h2load counts 4xx/5xx answers as failed too; the rest failed at the connection. A connection the
  // server closed (e.g. after keepalive_requests) is not reconnected: h2load only says so per client.
  const lost = Math.max(0, Number(reqs[5]) - non2xx3xx);
  const closed = text.match(/^Process Request Failure/gm)?.length ?? 0;
  return {
    requests: succeeded,
    seconds: Number(finished[1]) / (finished[2] === 'ms' ? 1000 : 1),
    rps: Number(finished[3]),
    socketErrors: lost + Number(reqs[6]) + Number(reqs[7]) + closed,
    non2xx3xx,
    protocol,
    tls: [tlsVersion, cipher].filter(Boolean).join(' ') || '(none)',
  };
}

/** p50 and p99 in ms from h2load's --log-file rows (start µs, status, duration µs). */
export function requestLatency(log: string): { p50Ms: number; p99Ms: number } {
  const durations: number[] = [];
  for (const line of log.split('\n')) {
    const tab = line.lastIndexOf('\t');
    if (tab < 0) continue;
    const us = Number(line.slice(tab + 1));
    if (Number.isFinite(us)) durations.push(us);
  }
  if (durations.length === 0) return { p50Ms: NaN, p99Ms: NaN };
  const sorted = Float64Array.from(durations).sort();
  return { p50Ms: percentile(sorted, 0.5) / 1000, p99Ms: percentile(sorted, 0.99) / 1000 };
}
