// The markdown tables (stdout) and the JSON file of a bench run.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isTls, isWebSocket } from './load-kind';
import type { RunResult } from './measure';
import type { BodyName, Settings } from './settings';
import { median, type Summary } from './stats';

export interface Environment {
  date: string;
  node: string;
  /** The node the proxies written in Node and the Node floor ran on (BENCH_NODE). */
  proxyNode: string;
  nginx: string;
  haproxy: string;
  wrk: string;
  h2load: string;
  cpu: string;
  clockTicks: number;
  commit: string;
}

const BODY_TITLE: Record<BodyName, string> = { '1k': '1 KiB response', '64k': '64 KiB response' };

const num = (n: number | null | undefined, digits: number): string =>
  n === null || n === undefined || !Number.isFinite(n) ? '—' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ratio = (a: number | null | undefined, b: number | null | undefined): string =>
  a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? '—' : `${(a / b).toFixed(2)}x`;

export function markdown(summaries: Summary[], runs: RunResult[], s: Settings, env: Environment): string {
  const lines: string[] = [];
  lines.push(`# Portico bench, ${env.date}`);
  lines.push('');
  lines.push(
    `wrk -t1 -c${s.connections}, ${s.warmupS} s warm-up + ${s.durationS} s runs, --latency; ${s.reps} interleaved reps, medians. ` +
      `Proxy on CPU ${s.proxyCpu}; wrk and the node:http backend on CPU ${s.loadCpu}. ` +
      `CPU µs/req: utime+stime of the proxy process (and children) over the timed run / requests.`,
  );
  if (s.targets.some(isTls)) {
    lines.push(
      `TLS targets: h2load ${env.h2load} -t1 -c${s.connections} -m1 (HTTPS/1.1: --h1), one ECDSA P-256 self-signed certificate for all, p50/p99 from its per-request log.`,
    );
  }
  if (s.targets.some(isWebSocket)) {
    lines.push(
      `WebSocket: bench/ws-load.ts, ${s.connections} connections, each sending a binary message of the body's size and awaiting its echo (closed loop), ` +
        `to a \`ws\` echo server on CPU ${s.loadCpu}; CPU µs/msg: the proxy's CPU / echoed messages.`,
    );
  }
  lines.push(
    `node ${env.node}${env.proxyNode === env.node ? '' : ` (Portico, fastify and the Node floor: node ${env.proxyNode}, BENCH_NODE)`}, nginx ${env.nginx}, HAProxy ${env.haproxy}, wrk ${env.wrk}, ${env.cpu}, commit ${env.commit}` +
      (s.porticoNodeFlags.length ? `, PORTICO_NODE_FLAGS="${s.porticoNodeFlags.join(' ')}"` : ''),
  );
  for (const body of s.bodies) {
    const all = summaries.filter((r) => r.body === body);
    const rows = all.filter((r) => !isWebSocket(r.target));
    const by = (t: string) => all.find((r) => r.target === t && !r.failure && r.runs > 0);
    const nginx = by('nginx');
    const direct = by('direct');
    lines.push('', `## ${BODY_TITLE[body]}`);
    if (rows.length) {
      lines.push('', '| target | rps | p50 ms | p99 ms | proxy CPU µs/req | rps vs nginx | rps vs direct |', '|---|---:|---:|---:|---:|---:|---:|');
    }
    for (const r of rows) {
      const label = r.failure ? `${r.label} (FAILED)` : r.label;
      lines.push(
        `| ${label} | ${num(r.rps, 0)} | ${num(r.p50Ms, 2)} | ${num(r.p99Ms, 2)} | ${num(r.cpuUsPerReq, 1)} | ${ratio(r.rps, nginx?.rps)} | ${ratio(r.rps, direct?.rps)} |`,
      );
    }
    lines.push(...webSocketTable(all.filter((r) => isWebSocket(r.target)), body));
    for (const pair of PAIRS) {
      const p = by(pair.portico);
      const n = by(pair.nginx);
      if (p && n) lines.push('', pairLine(pair, p, n));
      const floor = pair.reference ? by(pair.reference) : undefined;
      if (floor && n) lines.push('', referenceLine(pair, floor, n));
    }
    const portico = by('portico');
    // What a feature costs against plain Portico in the same run (issue budgets: sticky ≤ 1.10x CPU).
    // And what Portico's own HTTP/1.1 server saves against node:http doing the same cache HITs.
    for (const [variant, base] of [['portico-sticky', portico], ['portico-health', portico], ['portico-cache-node-http', by('portico-cache')]] as const) {
      const v = by(variant);
      if (base && v) {
        lines.push('', `${v.label} vs ${base.target}: rps ${ratio(v.rps, base.rps)}, CPU per request ${ratio(v.cpuUsPerReq, base.cpuUsPerReq)}`);
      }
    }
    const negotiated = tlsNote(runs.filter((r) => r.body === body));
    const notes = all.flatMap((r) => {
      const out: string[] = [];
      if (r.socketErrors || r.non2xx3xx) out.push(`- ${r.label}: ${r.socketErrors} socket errors, ${r.non2xx3xx} non-2xx/3xx responses (all runs)`);
      if (r.failure) out.push(`- ${r.label} failed after ${r.runs} run(s): ${r.failure}`);
      return out;
    });
    const noisy = runs.filter((r) => r.body === body);
    if (noisy.length) {
      const worst = noisy.reduce((a, b) => (b.otherCpuPct > a.otherCpuPct ? b : a));
      notes.push(
        `- other processes on the machine during the timed runs: median ${median(noisy.map((r) => r.otherCpuPct)).toFixed(0)}% of a core, ` +
          `worst ${worst.otherCpuPct.toFixed(0)}% (${worst.target}, rep ${worst.rep}); steal median ${median(noisy.map((r) => r.stealPct)).toFixed(0)}%`,
      );
      const busiest = noisy.reduce((a, b) => (b.idleTargetsPct > a.idleTargetsPct ? b : a));
      notes.push(
        `- the other targets' processes (idle between their runs) during the timed runs: median ${median(noisy.map((r) => r.idleTargetsPct)).toFixed(0)}% of a core, ` +
          `worst ${busiest.idleTargetsPct.toFixed(0)}% (${busiest.target}, rep ${busiest.rep})`,
      );
    }
    if (negotiated) notes.push(negotiated);
    if (notes.length) lines.push('', ...notes);
  }
  return lines.join('\n') + '\n';
}

/** The ws targets: messages, not requests. */
function webSocketTable(rows: Summary[], body: BodyName): string[] {
  if (!rows.length) return [];
  const ok = (t: string) => rows.find((r) => r.target === t && !r.failure && r.runs > 0);
  const lines = ['', `WebSocket echo, ${BODY_TITLE[body].replace(' response', '')} messages:`, ''];
  lines.push('| target | msgs/s | p50 ms | p99 ms | proxy CPU µs/msg | msgs/s vs nginx-ws | msgs/s vs direct-ws |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const label = r.failure ? `${r.label} (FAILED)` : r.label;
    lines.push(
      `| ${label} | ${num(r.rps, 0)} | ${num(r.p50Ms, 2)} | ${num(r.p99Ms, 2)} | ${num(r.cpuUsPerReq, 1)} | ${ratio(r.rps, ok('nginx-ws')?.rps)} | ${ratio(r.rps, ok('direct-ws')?.rps)} |`,
    );
  }
  return lines;
}

/** What each TLS target negotiated (h2load's report), so a cipher mismatch shows. */
function tlsNote(runs: RunResult[]): string | null {
  const seen = new Map<string, Set<string>>();
  for (const r of runs) if (r.tls) seen.set(r.target, (seen.get(r.target) ?? new Set()).add(r.tls));
  if (!seen.size) return null;
  return `- TLS negotiated: ${[...seen].map(([t, v]) => `${t} ${[...v].join(' / ')}`).join('; ')}`;
}

/** Portico and nginx doing the same job in the same run, with the issues' budgets where one is set. */
export interface Pair {
  portico: string;
  nginx: string;
  title: string;
  /** Portico/nginx: requests (or messages) per second at least minRps, CPU per request at most maxCpu. */
  budget?: { minRps?: number; maxCpu?: number };
  /** The Node floor for this job (targets/node-reference.ts): Node's server API with no proxy work. */
  reference?: 'node-http' | 'node-https' | 'node-h2';
}

const REFERENCE_TITLE: Record<NonNullable<Pair['reference']>, string> = {
  'node-http': 'node:http fixed buffer',
  'node-https': 'node:https fixed buffer',
  'node-h2': 'node:http2 fixed buffer',
};

const PAIRS: Pair[] = [
  { portico: 'portico', nginx: 'nginx', title: 'Portico/nginx' },
  { portico: 'portico-cache', nginx: 'nginx-cache', title: 'cache HIT, Portico/nginx', budget: { minRps: 0.9, maxCpu: 1.2 }, reference: 'node-http' },
  { portico: 'portico-static', nginx: 'nginx-static', title: 'static file, Portico/nginx', budget: { minRps: 0.8, maxCpu: 1.5 }, reference: 'node-http' },
  { portico: 'portico-gzip', nginx: 'nginx-gzip', title: 'gzip on the fly, Portico/nginx' },
  // Issue 11's budgets.
  { portico: 'portico-https', nginx: 'nginx-https', title: 'HTTPS/1.1, Portico/nginx', budget: { minRps: 0.8 }, reference: 'node-https' },
  { portico: 'portico-h2', nginx: 'nginx-h2', title: 'h2, Portico/nginx', budget: { minRps: 0.7 }, reference: 'node-h2' },
  { portico: 'portico-ws', nginx: 'nginx-ws', title: 'WebSocket echo, Portico/nginx', budget: { maxCpu: 1.3 } },
];

export function pairLine(pair: Pair, p: Summary, n: Summary): string {
  const [rate, per] = isWebSocket(pair.portico) ? ['msgs/s', 'message'] : ['rps', 'request'];
  const line = `${pair.title}: ${rate} ${ratio(p.rps, n.rps)}, CPU per ${per} ${ratio(p.cpuUsPerReq, n.cpuUsPerReq)}, p99 ${ratio(p.p99Ms, n.p99Ms)}`;
  const budget = pair.budget;
  if (!budget || p.cpuUsPerReq == null || n.cpuUsPerReq == null) return line;
  const rps = p.rps / n.rps;
  const cpu = p.cpuUsPerReq / n.cpuUsPerReq;
  const ok = (budget.minRps === undefined || rps >= budget.minRps) && (budget.maxCpu === undefined || cpu <= budget.maxCpu);
  const terms = [budget.minRps === undefined ? null : `${rate} ≥ ${budget.minRps}x`, budget.maxCpu === undefined ? null : `CPU ≤ ${budget.maxCpu}x`];
  return `${line} (budget: ${terms.filter(Boolean).join(', ')}: ${ok ? 'met' : 'MISSED'})`;
}

/**
 * What Node itself costs for the pair's job against nginx doing it (no proxy work, so no proxy on
 * this API can do better), in the budget's terms, and whether the budget lies within that floor.
 * Not a budget: the closing note uses it to say which budgets are reachable on Node's APIs at all.
 */
export function referenceLine(pair: Pair, floor: Summary, n: Summary): string {
  const budget = pair.budget ?? {};
  const rps = floor.rps / n.rps;
  const cpu = floor.cpuUsPerReq == null || n.cpuUsPerReq == null ? null : floor.cpuUsPerReq / n.cpuUsPerReq;
  const terms = [
    budget.maxCpu === undefined ? null : `CPU ${ratio(floor.cpuUsPerReq, n.cpuUsPerReq)}`,
    budget.minRps === undefined ? null : `rps ${ratio(floor.rps, n.rps)}`,
  ].filter(Boolean);
  const line = `Node floor (no proxy work; not a budget): ${REFERENCE_TITLE[pair.reference!]} / ${pair.nginx}: ${terms.join(', ')}`;
  const missed = [
    budget.minRps !== undefined && Number.isFinite(rps) && rps < budget.minRps ? `rps ≥ ${budget.minRps}x` : null,
    budget.maxCpu !== undefined && cpu !== null && cpu > budget.maxCpu ? `CPU ≤ ${budget.maxCpu}x` : null,
  ].filter(Boolean);
  if (missed.length) return `${line} (Node alone already misses the budget's ${missed.join(', ')})`;
  if (budget.maxCpu !== undefined && cpu === null) return line;
  return `${line} (the budget is within Node's floor)`;
}

export function writeJson(file: string, data: { environment: Environment; settings: Settings; summary: Summary[]; runs: RunResult[] }): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
}
