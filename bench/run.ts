// `npm run bench`: direct vs Portico vs nginx vs HAProxy vs @fastify/http-proxy on one backend.
// Interleaved: for each rep, for each body, for each target (order varied per rep: order.ts), one run;
// medians per (target, body).
// Markdown to stdout, JSON to bench/results/latest.json, progress to stderr.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBackend } from './backend';
import { checkTarget } from './check';
import { clockTicks } from './cpu';
import { isWebSocket } from './load-kind';
import { measure, type RunResult } from './measure';
import { runOrder } from './order';
import { installCleanup, stopAll } from './procs';
import { nodeVersion } from './node-version';
import { markdown, writeJson, type Environment } from './report';
import { readSettings, type Settings, type TargetName } from './settings';
import { summarize, type Summary } from './stats';
import { TARGETS } from './targets';
import type { RunningTarget } from './targets/types';
import { cpuModel, requireTools, toolVersion } from './tools';
import { startWsBackend } from './ws-backend';

const repoRoot = path.resolve(__dirname, '..');
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' | ');
const progress = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

function build(): void {
  progress('building dist/portico-proxy.js');
  execFileSync(process.execPath, ['scripts/build.mjs', 'portico-proxy'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
}

function environment(s: Settings): Environment {
  let commit = '?';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  return {
    date: new Date().toISOString(),
    node: process.version,
    proxyNode: nodeVersion(s.proxyNode),
    nginx: toolVersion('nginx'),
    haproxy: toolVersion('haproxy'),
    wrk: toolVersion('wrk'),
    h2load: toolVersion('h2load'),
    cpu: `${cpuModel()} x${os.availableParallelism()}`,
    clockTicks: clockTicks(),
    commit,
  };
}

async function startTargets(
  s: Settings,
  dir: string,
  ports: { backendPort: number; wsBackendPort?: number },
  failures: Map<TargetName, string>,
): Promise<Map<TargetName, RunningTarget>> {
  const running = new Map<TargetName, RunningTarget>();
  for (const name of s.targets) {
    try {
      const t = await TARGETS[name]({ repoRoot, dir, ...ports, settings: s });
      for (const body of s.bodies) await checkTarget(t, body);
      running.set(name, t);
      progress(`${name} ready on ${t.port}${t.proc ? ` (pid ${t.proc.pid})` : ''}`);
    } catch (err) {
      failures.set(name, `did not start: ${oneLine((err as Error).message)}`);
      progress(`${name} FAILED: ${failures.get(name)}`);
    }
  }
  return running;
}

async function main(): Promise<number> {
  const s = readSettings(process.env);
  requireTools(s.targets);
  if (s.targets.some((t) => t.startsWith('portico')) && s.build) build();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portico-bench-'));
  installCleanup(async () => {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });
  const total = s.reps * s.bodies.length * s.targets.length;
  progress(`${total} runs of ${s.warmupS}+${s.durationS} s (about ${Math.ceil((total * (s.warmupS + s.durationS)) / 60)} min); logs in ${dir}`);

  const env = environment(s);
  const backend = await startBackend(repoRoot, dir, s);
  const failures = new Map<TargetName, string>();
  const wsBackend = s.targets.some(isWebSocket) ? await startWsBackend(repoRoot, dir, s) : undefined;
  const running = await startTargets(s, dir, { backendPort: backend.port, wsBackendPort: wsBackend?.port }, failures);

  const runs: RunResult[] = [];
  let n = 0;
  for (let rep = 1; rep <= s.reps; rep++) {
    for (const body of s.bodies) {
      for (const name of runOrder(s.targets, rep - 1)) {
        n++;
        const t = running.get(name);
        if (!t || failures.has(name)) continue;
        try {
          const r = await measure(t, body, rep, s, dir, [...running.values()]);
          runs.push(r);
          const unit = isWebSocket(name) ? 'msg' : 'req';
          const cpu = r.cpuUsPerReq === null ? '' : `, ${r.cpuUsPerReq.toFixed(1)} µs/${unit}`;
          const idle = r.idleTargetsPct >= 1 ? `, idle targets ${r.idleTargetsPct.toFixed(0)}%` : '';
          const noise = `, others ${r.otherCpuPct.toFixed(0)}%${idle}${r.quietWaitS >= 1 ? ` (waited ${r.quietWaitS.toFixed(0)} s for quiet)` : ''}`;
          const errs = r.socketErrors || r.non2xx3xx ? `, ERRORS: ${r.socketErrors} socket, ${r.non2xx3xx} non-2xx/3xx` : '';
          progress(`[${n}/${total}] rep ${rep} ${body} ${name}: ${Math.round(r.rps)} ${unit === 'msg' ? 'msgs/s' : 'rps'}, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms${cpu}${noise}${errs}`);
        } catch (err) {
          await new Promise((r) => setTimeout(r, 200)); // let a crashing process finish exiting
          const exited = t.proc?.exited() ? ` (process exited; last output: ${t.proc.tail() || 'none'})` : '';
          failures.set(name, oneLine(`rep ${rep} ${body}: ${(err as Error).message}${exited}`));
          progress(`[${n}/${total}] ${name} FAILED: ${failures.get(name)}`);
          await t.proc?.stop();
        }
      }
    }
  }
  await stopAll();

  const summary: Summary[] = s.bodies.flatMap((body) =>
    s.targets.map((name) => {
      const mine = runs.filter((r) => r.target === name && r.body === body);
      return summarize(name, running.get(name)?.label ?? name, body, mine, failures.get(name));
    }),
  );
  // latest.json plus a dated copy, so a short trial run does not clobber a full one.
  const results = path.join(repoRoot, 'bench', 'results');
  const jsonFile = path.join(results, 'latest.json');
  writeJson(jsonFile, { environment: env, settings: s, summary, runs });
  writeJson(path.join(results, `${env.date.replace(/[:.]/g, '-')}.json`), { environment: env, settings: s, summary, runs });
  process.stdout.write(markdown(summary, runs, s, env));
  progress(`JSON written to ${path.relative(repoRoot, jsonFile)}`);
  if (failures.size) {
    progress(`logs kept in ${dir}`);
    return 1;
  }
  rmSync(dir, { recursive: true, force: true });
  return 0;
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    await stopAll();
    process.exit(1);
  },
);
