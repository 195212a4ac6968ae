// Opens files under a served directory and proves each one lies inside it. The path was already
// cleaned of ".." (request-path.ts), so only a symlink can lead out; instead of a realpath per
// request (a system call per path component), the file is opened first and the kernel is asked
// where the descriptor really points (/proc/self/fd/N: one readlink), which also closes the race
// of a symlink swapped in between a check and the open. Where /proc is missing, realpath of the
// path plus a same-inode check stands in.
//
// Calls are synchronous, as NGINX's are without `aio threads`: for files in the page cache they
// cost a few microseconds each, less than one round trip through libuv's thread pool.
import fs from 'node:fs';

/** An opened file or directory under the root, with its fstat. The caller closes `fd`. */
export interface OpenedEntry {
  fd: number;
  stat: fs.Stats;
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

  /** `directory` is absolute, without a trailing slash (except "/"). */
  constructor(readonly directory: string) {
    this.refreshReal();
  }

  /** Opens `rel` ("/a/b.txt", already cleaned) under the root. */
  open(rel: string): OpenedEntry | OpenFailure {
    const path = this.directory + rel;
    let fd: number;
    try {
      fd = fs.openSync(path, OPEN_FLAGS);
    } catch (err) {
      return openFailure(err);
    }
    try {
      if (!this.contains(fd, path)) {
        fs.closeSync(fd);
        return 404;
      }
      return { fd, stat: fs.fstatSync(fd) };
    } catch (err) {
      closeQuietly(fd);
      return openFailure(err);
    }
  }

  /** Whether the opened `fd` lies under the root's real path. */
  private contains(fd: number, path: string): boolean {
    if (this.real === null && !this.refreshReal()) return false;
    const where = whereIs(fd, path);
    if (where === null) return false;
    if (this.isUnder(where)) return true;
    // The root may be a symlink that was switched (a deploy's "current -> release-N"): look once more.
    return this.refreshReal() && this.isUnder(where);
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

export function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // already closed or never valid: nothing to release
  }
}
