// The proxy as users run it: `portico-proxy --config FILE` in its own process (from source via tsx).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerCleanup } from './servers';

const ROOT = join(__dirname, '..', '..');
export const PROXY_MAIN = join(ROOT, 'proxy', 'src', 'main.ts');

export interface ProxyProcess {
  child: ChildProcess;
  port: number;
  url: string;
  configFile: string;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function writeConfig(config: unknown, name = 'config.json'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'portico-')), name);
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  return file;
}

/** Runs the CLI to completion: exit code and output (for --check and bad configs). */
export function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', PROXY_MAIN, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts the proxy process and resolves once it printed its ready line (listener port 0 allowed). */
export async function startProxyProcess(config: unknown): Promise<ProxyProcess> {
  const configFile = writeConfig(config);
  const child = spawn(process.execPath, ['--import', 'tsx', PROXY_MAIN, '--config', configFile], { cwd: ROOT });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`proxy not ready in 10s:\n${out}`)), 10_000);
    const check = () => {
      const m = /portico-proxy ready: https?:\/\/[^:]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => reject(new Error(`proxy exited with ${code}:\n${out}`)));
  });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null) child.kill(signal);
    return exited;
  };
  registerCleanup(() => stop('SIGKILL'));
  return { child, port, url: `http://127.0.0.1:${port}`, configFile, output: () => out, stop };
}

/** Peak and current resident memory of a process, in bytes (Linux /proc). */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = require('node:fs').readFileSync(`/proc/${pid}/status`, 'utf8') as string;
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}
