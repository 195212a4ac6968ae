// The external programs the bench needs, and their versions for the report.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadKindOf } from './load-kind';
import type { TargetName } from './settings';

const INSTALL_HINT = 'apt-get install wrk nginx-light haproxy nghttp2-client openssl (taskset and getconf come with util-linux and libc-bin)';

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Throws one line naming every missing program and how to install it. */
export function requireTools(targets: TargetName[]): void {
  const needed = ['taskset', 'getconf'];
  if (targets.some((t) => loadKindOf(t) === 'wrk')) needed.push('wrk');
  if (targets.some((t) => loadKindOf(t).startsWith('h2load'))) needed.push('h2load', 'openssl');
  if (targets.some((t) => t.startsWith('nginx'))) needed.push('nginx');
  if (targets.includes('haproxy')) needed.push('haproxy');
  const missing = needed.filter((t) => !onPath(t));
  if (missing.length) throw new Error(`missing ${missing.join(', ')}: ${INSTALL_HINT}`);
}

const versions = new Map<string, string>();

/** e.g. "1.22.1" for nginx, "2.6.12" for haproxy, "4.1.0" for wrk, "1.52.0" for h2load; "?" if unknown. */
export function toolVersion(cmd: 'nginx' | 'haproxy' | 'wrk' | 'h2load'): string {
  const known = versions.get(cmd);
  if (known) return known;
  const args = { nginx: ['-v'], haproxy: ['-v'], wrk: ['-v'], h2load: ['--version'] }[cmd];
  const res = spawnSync(cmd, args, { encoding: 'utf8' });
  const text = `${res.stdout ?? ''}${res.stderr ?? ''}`;
  const match = { nginx: /nginx\/([\w.]+)/, haproxy: /version ([\w.]+)/i, wrk: /wrk\s+(?:\S+\/)?([\d.]+)/, h2load: /nghttp2\/([\d.]+)/ }[cmd].exec(text);
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
