// The version of a node binary (BENCH_NODE may name another one than the bench's own).
import { execFileSync } from 'node:child_process';

const known = new Map<string, string>();

export function nodeVersion(binary: string): string {
  if (binary === process.execPath) return process.version;
  let version = known.get(binary);
  if (version === undefined) {
    version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
    known.set(binary, version);
  }
  return version;
}
