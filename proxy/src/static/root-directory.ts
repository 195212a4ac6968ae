// Opens files under a served directory and proves each one lies inside it. The path was already
// cleaned of ".." (request-path.ts), so only a symlink can lead out; instead of a realpath per
// request (a system call per path component), the file is opened first and the kernel is asked
// where the descriptor really points (/proc/self/fd/N: one readlink), which also closes the race
// of a symlink swapped in between a check and the open. Where /proc is missing, realpath of the
// path plus a same-inode check stands in.
//
// A lookup starts with a stat of the path (a missing file costs no exception, a FIFO or device is
// never opened), unless the open file cache looked at that path less than `validMs` ago: then the
// kept descriptor answers with no system call at all (open-file-cache.ts), or, for a path found
// missing then, the 404 does (missing-paths.ts).
//
// Calls are synchronous, as NGINX's are without `aio threads`: for files in the page cache they
// cost a few microseconds each, less than one round trip through libuv's thread pool.
import fs from 'node:fs';
import { knownMissing, rememberMissing } from './missing-paths';
import { cachedEntry, forget, keep, SMALL_FILE, trustedEntry, type CachedFile } from './open-file-cache';

/**
 * A file or directory under the root, with its stat. A directory has no descriptor (fd -1); a
 * file's descriptor is closed with release() (it may belong to the open file cache).
 */
export interface OpenedEntry {
  fd: number;
  stat: fs.Stats;
  /** Whether the descriptor is the caller's to close (else the cache's, or none). */
  owned: boolean;
  /** The open file cache's entry, where a small file's bytes are kept for the window; null: read every time. */
  kept: CachedFile | null;
}

/** Why an open failed, as the status NGINX answers: 404 missing or outside, 403 refused, 500 else. */
export type OpenFailure = 403 | 404 | 500;

// O_NONBLOCK as NGINX opens: a FIFO planted in the root must not block the event loop at open.
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

let procFdWorks: boolean | null = null;

export class RootDirectory {
  /** The root's real path (symlinks resolved), re-read when a file seems to lie outside it. */
  private real: string | null = null;
  private realPrefix = '';

  /**
   * `directory` is absolute, without a trailing slash (except "/"); `validMs`: how long a kept
   * file is trusted without a stat of its path (open_file_cache_valid; 0: never).
   */
  constructor(
    readonly directory: string,
    private readonly validMs: number,
  ) {
    this.refreshReal();
  }

  /** Opens `rel` ("/a/b.txt", already cleaned) under the root. */
  open(rel: string): OpenedEntry | OpenFailure {
    const path = this.directory + rel;
    const at = Date.now();
    if (this.validMs > 0) {
      const trusted = trustedEntry(path, at, this.validMs);
      if (trusted !== null && this.isUnder(trusted.real)) return { fd: trusted.fd, stat: trusted.stat, owned: false, kept: trusted };
      if (knownMissing(path, at, this.validMs)) return 404;
    }
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(path, { throwIfNoEntry: false });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return this.missing(path, at);
      return openFailure(err);
    }
    if (stat === undefined) return this.missing(path, at);
    if (!stat.isFile() && !stat.isDirectory()) return 404; // FIFO, socket, device: NGINX "is not a regular file"
    const cached = cachedEntry(path, stat, at);
    if (cached !== null && this.isUnder(cached.real)) return { fd: cached.fd, stat, owned: false, kept: this.validMs > 0 ? cached : null };
    return this.openFresh(path, at);
  }

  /** A path found missing (ENOENT, ENOTDIR): remembered for the window (open_file_cache_errors), its kept descriptor closed. */
  private missing(path: string, at: number): 404 {
    if (this.validMs > 0) rememberMissing(path, at);
    forget(path);
    return 404;
  }

  private openFresh(path: string, at: number): OpenedEntry | OpenFailure {
    let fd: number;
    try {
      fd = fs.openSync(path, OPEN_FLAGS);
    } catch (err) {
      return openFailure(err);
    }
    try {
      const where = this.locate(fd, path);
      const stat = where === null ? null : fs.fstatSync(fd);
      if (where === null || stat === null || !(stat.isFile() || stat.isDirectory())) {
        fs.closeSync(fd);
        return 404;
      }
      if (stat.isDirectory()) {
        fs.closeSync(fd);
        keep(path, -1, stat, where, at);
        return { fd: -1, stat, owned: false, kept: null };
      }
      if (stat.size > SMALL_FILE) return { fd, stat, owned: true, kept: null };
      const kept = keep(path, fd, stat, where, at);
      // With no window (validMs 0) every request reads: the kept entry carries no bytes.
      return { fd, stat, owned: false, kept: this.validMs > 0 ? kept : null };
    } catch (err) {
      closeQuietly(fd);
      return openFailure(err);
    }
  }

  /** Where the opened `fd` really lies, when that is under the root's real path; else null. */
  private locate(fd: number, path: string): string | null {
    if (this.real === null && !this.refreshReal()) return null;
    const where = whereIs(fd, path);
    if (where === null) return null;
    if (this.isUnder(where)) return where;
    // The root may be a symlink that was switched (a deploy's "current -> release-N"): look once more.
    return this.refreshReal() && this.isUnder(where) ? where : null;
  }

  private isUnder(where: string): boolean {
    return where.startsWith(this.realPrefix) || where === this.real;
  }

  private refreshReal(): boolean {
    try {
      const real = fs.realpathSync.native(this.directory);
      this.real = real;
      this.realPrefix = real.endsWith('/') ? real : `${real}/`;
      return true;
    } catch {
      this.real = null;
      return false;
    }
  }
}

/** The real path of an open descriptor, or null when it cannot be told. */
function whereIs(fd: number, path: string): string | null {
  if (procFdWorks !== false) {
    try {
      const where = fs.readlinkSync(`/proc/self/fd/${fd}`);
      procFdWorks = true;
      return where;
    } catch {
      if (procFdWorks === true) return null;
      procFdWorks = false;
    }
  }
  try {
    const real = fs.realpathSync.native(path);
    const a = fs.statSync(real);
    const b = fs.fstatSync(fd);
    return a.ino === b.ino && a.dev === b.dev ? real : null;
  } catch {
    return null;
  }
}

function openFailure(err: unknown): OpenFailure {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG' || code === 'ELOOP') return 404;
  if (code === 'EACCES' || code === 'EPERM') return 403;
  return 500;
}

/** Gives back what open() returned: closes the descriptor when it is the caller's. */
export function release(entry: OpenedEntry): void {
  if (entry.owned) closeQuietly(entry.fd);
}

export function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // already closed or never valid: nothing to release
  }
}
