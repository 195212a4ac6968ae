// Helpers for the cache storage tests: heads, zone configs, storing a body and reading one back.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { ResolvedCacheZone } from '../../proxy/src/config/resolved';
import type { Logger } from '../../proxy/src/log';
import { registerCleanup, sleep } from '../helpers/servers';
import type { CachedHead, CacheEntry, CacheZone } from '../../proxy/src/cache/cache-types';

export function head(key: string, extra: Partial<CachedHead> = {}): CachedHead {
  const now = Date.now();
  return {
    key,
    vary: [],
    status: 200,
    headers: ['content-type', 'text/plain'],
    storedAt: now,
    expiresAt: now + 60_000,
    staleWhileRevalidate: 0,
    staleIfError: 0,
    etag: null,
    lastModified: null,
    ...extra,
  };
}

export function zoneConfig(extra: Partial<ResolvedCacheZone> = {}): ResolvedCacheZone {
  return { name: 'z', maxSize: 1024 * 1024, maxEntrySize: 64 * 1024, disk: null, ...extra };
}

/** Stores `body` under `key` in one write; false when the zone refused it. */
export function put(zone: CacheZone, key: string, body: Buffer | string, extra: Partial<CachedHead> = {}): boolean {
  const bytes = Buffer.from(body);
  const write = zone.begin(head(key, extra), bytes.length);
  if (write === null || !write.write(bytes)) return false;
  write.commit();
  return true;
}

export const noHeaders = (): string => '';

export async function readBody(entry: CacheEntry, start?: number, end?: number): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of entry.openBody(start, end)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

/** A logger whose lines are kept (parsed) for assertions. */
export function recordingLogger(): { log: Logger; lines: { msg: string; zone?: string; error?: string; level: number }[] } {
  const lines: { msg: string; zone?: string; error?: string; level: number }[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

/** A fresh directory under the system temp dir (or `base`), removed after the test. */
export function tempDir(base = tmpdir()): string {
  const dir = mkdtempSync(join(base, 'portico-cache-'));
  registerCleanup(async () => {
    await setWritable(dir);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** No file can be created in `dir` any more, even by root (chattr +i), until setWritable. */
export async function setReadOnly(dir: string): Promise<void> {
  if (process.getuid?.() === 0) await run('chattr', ['+i', dir]);
  else chmodSync(dir, 0o555);
}

export async function setWritable(dir: string): Promise<void> {
  if (process.getuid?.() === 0) await run('chattr', ['-i', dir]).catch(() => undefined);
  else chmodSync(dir, 0o755);
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => execFile(cmd, args, (err) => (err ? reject(err) : resolve())));
}

/** Polls `done` every few ms until it holds (at most `timeoutMs`). */
export async function eventually(done: () => boolean, timeoutMs = 2_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await sleep(5);
  }
}
