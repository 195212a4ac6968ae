// The external programs the bench needs, and their versions for the report.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { TargetName } from './settings';

const INSTALL_HINT = 'apt-get install wrk nginx-light haproxy (taskset and getconf come with util-linux and libc-bin)';

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Throws one line naming every missing program and how to install it. */
export function requireTools(targets: TargetName[]): void {
  const needed = ['wrk', 'taskset', 'getconf'];
  if (targets.includes('nginx')) needed.push('nginx');
  if (targets.includes('haproxy')) needed.push('haproxy');
  const missing = needed.filter((t) => !onPath(t));
  if (missing.length) throw new Error(`missing ${missing.join(', ')}: ${INSTALL_HINT}`);
}

const versions = new Map<string, string>();

/** e.g. "1.22.1" for nginx, "2.6.12" for haproxy, "4.1.0" for wrk; "?" if unknown. */
export function toolVersion(cmd: 'nginx' | 'haproxy' | 'wrk'): string {
  const known = versions.get(cmd);
  if (known) return known;
  const args = { nginx: ['-v'], haproxy: ['-v'], wrk: ['-v'] }[cmd];
  const res = spawnSync(cmd, args, { encoding: 'utf8' });
  const text = `${res.stdout ?? ''}${res.stderr ?? ''}`;
  const match = { nginx: /nginx\/([\w.]+)/, haproxy: /version ([\w.]+)/i, wrk: /wrk\s+(?:\S+\/)?([\d.]+)/ }[cmd].exec(text);
  const v = match?.[1] ?? '?';
  versions.set(cmd, v);
  return v;
}

export function cpuModel(): string {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? '?';
  } catch {
    return '?';
  }
}
