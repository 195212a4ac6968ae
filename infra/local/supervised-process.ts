// One child process of the local stack: started, its output prefixed, restarted with backoff when
// it crashes, stopped with SIGTERM (then SIGKILL after a bound).
import { spawn, type ChildProcess } from 'node:child_process';
import { formatLine, lineSplitter } from './log-lines';

export interface ProcessSpec {
  label: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Restart when it exits on its own (app instances); the proxy is not restarted but reported. */
  restart: boolean;
}

const BACKOFF_START_MS = 250;
const BACKOFF_MAX_MS = 10_000;
/** A run this long resets the backoff: the crash was not a crash loop. */
const STABLE_AFTER_MS = 10_000;
const STOP_BOUND_MS = 12_000;

export class SupervisedProcess {
  child: ChildProcess | null = null;
  restarts = 0;
  private stopping = false;
  private backoff = BACKOFF_START_MS;
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly spec: ProcessSpec,
    private readonly write: (line: string) => void,
    private readonly onUnexpectedExit: (p: SupervisedProcess, code: number | null, signal: string | null) => void = () => undefined,
  ) {}

  start(): void {
    this.startedAt = Date.now();
    const child = spawn(this.spec.command, this.spec.args, { env: this.spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const print = lineSplitter((line) => this.write(formatLine(this.spec.label, line)));
    child.stdout!.on('data', print);
    child.stderr!.on('data', print);
    child.on('error', (err) => this.write(formatLine(this.spec.label, `cannot start: ${err.message}`)));
    child.on('exit', (code, signal) => this.exited(code, signal));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** SIGTERM, then SIGKILL if it has not exited within the bound; resolves once it is gone. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_BOUND_MS);
    await gone;
    clearTimeout(killer);
  }

  private exited(code: number | null, signal: string | null): void {
    if (this.stopping) return;
    this.onUnexpectedExit(this, code, signal);
    if (!this.spec.restart) return;
    if (Date.now() - this.startedAt > STABLE_AFTER_MS) this.backoff = BACKOFF_START_MS;
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS);
    this.write(formatLine(this.spec.label, `exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`));
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping) return;
      this.restarts++;
      this.start();
    }, delay);
  }
}
