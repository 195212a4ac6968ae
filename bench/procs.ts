// Every process the bench starts goes through here, so all of them (and their children, e.g. the
// nginx worker) are ended at the end, on SIGINT/SIGTERM and on failure: no orphans.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { descendants } from './cpu';

export interface Managed {
  name: string;
  child: ChildProcess;
  pid: number;
  /** Last lines of stdout+stderr, for error messages. */
  tail(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

const running = new Set<Managed>();

export interface StartOptions {
  /** CPU list for `taskset -c`; absent: not pinned. */
  cpu?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Where the full stdout+stderr goes. */
  logFile: string;
}

export function start(name: string, cmd: string, args: string[], opts: StartOptions): Managed {
  const [file, argv] = opts.cpu !== undefined ? ['taskset', ['-c', opts.cpu, cmd, ...args]] : [cmd, args];
  const child = spawn(file, argv, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.once('error', () => undefined); // reported below (no pid) or by exited()
  if (child.pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
  const log = createWriteStream(opts.logFile);
  let tail = '';
  const keep = (chunk: Buffer) => {
    log.write(chunk);
    tail = (tail + chunk.toString('utf8')).slice(-2000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.once('close', () => log.end());
  let done = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((done = true), resolve())));
  child.once('error', () => (done = true));
  const pid = child.pid;
  const m: Managed = {
    name,
    child,
    pid,
    tail: () => tail.trim(),
    exited: () => done,
    stop: async () => {
      running.delete(m);
      if (done) return;
      const kids = descendants(pid);
      signal(pid, 'SIGTERM');
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 3000).unref());
      if ((await Promise.race([exit, timer])) === 'timeout') signal(pid, 'SIGKILL');
      await exit;
      for (const k of kids) signal(k, 'SIGKILL');
    },
  };
  running.add(m);
  return m;
}

/** Pids of the processes started and not yet stopped. */
/**
 * Runs a load generator that ends by itself after `durationS` (wrk, h2load, ws-load) and returns
 * its stdout; killed if it is still running 30 s later (a hang), an error unless it exited with 0.
 */
export async function runToEnd(name: string, cmd: string, args: string[], opts: StartOptions, durationS: number): Promise<string> {
  const proc = start(name, cmd, args, opts);
  let out = '';
  proc.child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => {
    const guard = setTimeout(() => proc.child.kill('SIGKILL'), (durationS + 30) * 1000);
    proc.child.once('exit', (c) => (clearTimeout(guard), resolve(c)));
  });
  await proc.stop();
  if (code !== 0) throw new Error(`${name} ${args.join(' ')} exited with ${code}: ${proc.tail()}`);
  return out;
}

export function managedPids(): number[] {
  return [...running].filter((m) => !m.exited()).map((m) => m.pid);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((m) => m.stop()));
}

/** Last resort, synchronous: for process 'exit'. */
function killAllNow(): void {
  for (const m of running) {
    for (const k of descendants(m.pid)) signal(k, 'SIGKILL');
    signal(m.pid, 'SIGKILL');
  }
  running.clear();
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

let installed = false;
/** Ends every started process when the bench exits, is interrupted or fails. */
export function installCleanup(onSignal: (sig: string) => Promise<void>): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAllNow);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      process.stderr.write(`\nbench: ${sig}, stopping everything\n`);
      onSignal(sig).finally(() => process.exit(130));
    });
  }
}
