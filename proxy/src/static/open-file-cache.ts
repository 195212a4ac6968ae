// Open descriptors of small files (and the proven place of directories) kept between requests, as
// NGINX's open_file_cache does. Within a route's `openFileCacheValid` (open_file_cache_valid) of
// the last look at its path, an entry is served as it is: no system call but the read. After it,
// the path is stat'ed again and the entry is used only while the path leads to the same inode,
// unchanged (dev, ino, size, mtime, ctime; ctime moves on any write, rename, unlink or chmod).
// With a validity of 0 every request stats the path: never stale. The bytes always come from the
// kept descriptor, and the descriptor was proven inside the root when opened, so a symlink swapped
// in meanwhile leads nowhere.
//
// Only descriptors used synchronously are kept (small files read whole): no transfer in flight can
// see one closed under it. A file up to KEEP_BYTES also keeps the bytes it was read whole with, so
// within the window the answer needs not even the read; each look at the path drops them (a rewrite
// in place within one timestamp tick leaves the stat as it was), so they are never older than the
// window, as the headers are not. Bounded in entries; idle ones are closed by a sweep, so a deleted file's
// space is given back at the latest `IDLE_MS` after its last request.
import fs from 'node:fs';
import { LruBytes } from '../lru-bytes';

/** Files up to this size are read whole, synchronously; only their descriptors are kept. */
export const SMALL_FILE = 256 * 1024;
export const MAX_ENTRIES = 1024;
/** Files up to this size keep their bytes in memory: at most MAX_ENTRIES × 16 KiB = 16 MiB. */
export const KEEP_BYTES = 16 * 1024;
const IDLE_MS = 20_000;

export interface CachedFile {
  /** -1 for a directory (kept only for where it lies). */
  readonly fd: number;
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  /** The real path it was opened at (for the root containment check). */
  readonly real: string;
  /** The stat its headers come from (the one taken when it was opened or last checked). */
  stat: fs.Stats;
  /** When its path was last looked at (ms). */
  checkedAt: number;
  /** Its whole content (a file up to KEEP_BYTES, once read); null until then. */
  bytes: Buffer | null;
  usedAt: number;
}

/** Least recently used first; one unit an entry, so the bound drops the least recently used file. */
const entries = new LruBytes<string, CachedFile>(MAX_ENTRIES, (_path, entry) => closeAfterTurn(entry));
let sweeper: NodeJS.Timeout | null = null;

/** The entry for `path` when its path was looked at less than `validMs` before `at`; else null (look again). */
export function trustedEntry(path: string, at: number, validMs: number): CachedFile | null {
  const entry = entries.peek(path);
  if (entry === undefined || at - entry.checkedAt >= validMs || at < entry.checkedAt) return null;
  entries.touch(path);
  entry.usedAt = at;
  return entry;
}

/** The cached entry for `path` if `stat` (the path's stat just taken at `at`) shows it unchanged; else drops it. */
export function cachedEntry(path: string, stat: fs.Stats, at: number): CachedFile | null {
  const entry = entries.peek(path);
  if (entry === undefined) return null;
  if (entry.ino === stat.ino && entry.dev === stat.dev && entry.size === stat.size && entry.mtimeMs === stat.mtimeMs && entry.ctimeMs === stat.ctimeMs) {
    entries.touch(path);
    entry.usedAt = at;
    entry.checkedAt = at;
    entry.stat = stat;
    entry.bytes = null;
    return entry;
  }
  forget(path);
  return null;
}

/** Keeps `fd` (now the cache's) for `path`; a full cache first closes its oldest entry. */
export function keep(path: string, fd: number, stat: fs.Stats, real: string, at: number): CachedFile {
  forget(path);
  const entry = { fd, dev: stat.dev, ino: stat.ino, size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, real, stat, checkedAt: at, usedAt: at, bytes: null };
  entries.set(path, entry, 1);
  if (sweeper === null) {
    sweeper = setInterval(sweep, IDLE_MS / 2);
    sweeper.unref();
  }
  return entry;
}

/**
 * Drops the entry for `path` (a path that no longer leads to it, the bound, idleness). Its
 * descriptor is closed only after the current turn: a request may still hold it (a file kept while
 * its .br / .gz sibling is looked up, whose keep() can push that very file out of a full cache),
 * and every holder reads within the turn it got the descriptor in.
 */
export function forget(path: string): void {
  const entry = entries.delete(path);
  if (entry !== undefined) closeAfterTurn(entry);
}

function closeAfterTurn(entry: CachedFile): void {
  if (entry.fd >= 0) setImmediate(closeLater, entry.fd);
}

function closeLater(fd: number): void {
  fs.close(fd, ignore);
}

/** How many entries are kept (tests). */
export function cachedCount(): number {
  return entries.size;
}

function sweep(): void {
  const now = Date.now();
  // usedAt later than now: the clock went back; such an entry is dropped too (it is re-opened if used).
  const idle = [...entries.entries()].filter(([, entry]) => now - entry.usedAt > IDLE_MS || entry.usedAt > now);
  for (const [path] of idle) forget(path);
  if (entries.size === 0 && sweeper !== null) {
    clearInterval(sweeper);
    sweeper = null;
  }
}

function ignore(): void {
  // a close error leaves nothing to do
}
