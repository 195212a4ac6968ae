// Paths found missing, remembered for a route's `openFileCacheValid` as NGINX's open_file_cache
// does with `open_file_cache_errors on`: a `.gz` / `.br` sibling that does not exist (asked for on
// every request that accepts gzip or br) or any other missing path costs no stat within the window.
// Only "missing" (ENOENT, ENOTDIR) is remembered: a 403 or 500 may be a passing state (a chmod, an
// I/O error) that an operator fixes and expects to see fixed at once.
//
// Bounded on its own, apart from the kept descriptors (open-file-cache.ts): a client asking for
// random missing paths only pushes out other missing paths (least recently used first), never a
// real file's descriptor. Long paths are not remembered, so the map's memory has a small ceiling.
import { LruBytes } from '../lru-bytes';

export const MAX_MISSING = 1024;
/** Paths longer than this are looked at each time (1024 entries of at most 1 KiB each). */
const MAX_PATH_LENGTH = 1024;

/** Path -> when it was found missing (ms); one unit a path, least recently used dropped first. */
const missing = new LruBytes<string, number>(MAX_MISSING);

/** Whether `path` was found missing less than `validMs` before `at` (then it is known missing). */
export function knownMissing(path: string, at: number, validMs: number): boolean {
  const checkedAt = missing.peek(path);
  if (checkedAt === undefined) return false;
  if (at - checkedAt >= validMs || at < checkedAt) {
    missing.delete(path);
    return false;
  }
  missing.touch(path);
  return true;
}

/** Remembers that `path` was found missing at `at`; a full map first forgets its least recently used path. */
export function rememberMissing(path: string, at: number): void {
  if (path.length > MAX_PATH_LENGTH) return;
  missing.set(path, at, 1);
}

/** How many missing paths are remembered (tests). */
export function missingCount(): number {
  return missing.size;
}
