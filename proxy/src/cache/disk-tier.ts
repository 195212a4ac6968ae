// The disk tier of a cache zone (NGINX proxy_cache_path's directory, max_size, inactive): one
// file per variant, written to a temp file and renamed into place, so no crash leaves a visible
// half-written entry. The index is read back from the directory at start, in the background
// (one file at a time between awaits, so the event loop is never held for long). Every disk error
// drops that write (or that entry) with a log line naming the zone; none reaches a request.
import { createReadStream, statSync } from 'node:fs';
import { mkdir, open, opendir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResolvedCacheZone } from '../config/resolved';
import type { Logger } from '../log';
import { decodeHead, decodeTrailer, encodeHead, ENTRY_SUFFIX, entryFileName, isCacheFileName, isOwnTemp, TEMP_PREFIX, tempFileName, TRAILER_BYTES } from './entry-file';
import { LruBytes } from '../lru-bytes';
import { StoredEntry, variantId, type DiskPlace } from './stored-entry';
import type { DiskOwner, ZoneDisk } from './stored-zone';

type DiskConfig = NonNullable<ResolvedCacheZone['disk']>;

/** At most one log line per zone and error code in this long (a full disk fails every write). */
const ERROR_LOG_EVERY = 10_000;
/** Names of unreadable files quoted in the start-up line. */
const QUOTED_FILES = 5;

export class DiskTier implements ZoneDisk {
  /** Files in place, by variant id, least recently used first. */
  private readonly files: LruBytes<string, StoredEntry>;
  /** Per variant id, the file operations still under way: run one after another, in order. */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly loading = new Set<StoredEntry>();
  private readonly errorsLogged = new Map<string, number>();
  private closed = false;
  private reading = true;
  /**
   * Files this owner wrote or removed while the directory was read back: its own decision is newer
   * than what the read-back finds there (a purge would otherwise come back as a file found at start).
   */
  private readonly decidedWhileReading = new Set<string>();
  private limit: number;
  /** Settles once the directory has been read back (tests and the admin API may wait on it). */
  readonly ready: Promise<void>;

  constructor(
    private readonly config: DiskConfig,
    private readonly owner: DiskOwner,
    private readonly log: Logger,
  ) {
    // Unbounded while the directory is read back; then ordered by age and trimmed to maxSize.
    this.files = new LruBytes(Infinity, (id, entry) => this.evict(id, entry));
    this.limit = config.maxSize;
    this.ready = this.readBack()
      .catch((err: NodeJS.ErrnoException) => this.failed('read back', err))
      .finally(() => this.readBackDone());
  }

  get bytes(): number {
    return this.files.bytes;
  }

  get entries(): number {
    return this.files.size;
  }

  save(entry: StoredEntry, body: Buffer | null, from: DiskPlace | null): void {
    if (this.reading) this.decidedWhileReading.add(entryFileName(entry.id));
    this.enqueue(entry.id, () => this.write(entry, body, from));
  }

  remove(entry: StoredEntry): void {
    if (this.reading) this.decidedWhileReading.add(entryFileName(entry.id));
    if (this.files.peek(entry.id) === entry) this.files.delete(entry.id);
    const file = join(this.config.path, entryFileName(entry.id));
    this.enqueue(entry.id, () => unlink(file).catch((err: NodeJS.ErrnoException) => this.unlinkFailed(err)));
  }

  used(entry: StoredEntry): void {
    this.files.get(entry.id);
  }

  intact(entry: StoredEntry): boolean {
    const place = entry.disk;
    if (place === null) return false;
    try {
      const stat = statSync(place.file, { throwIfNoEntry: false });
      return stat !== undefined && stat.size === place.fileSize;
    } catch {
      return false;
    }
  }

  load(entry: StoredEntry, done: (body: Buffer | null) => void): void {
    const place = entry.disk;
    if (place === null || this.loading.has(entry)) return;
    this.loading.add(entry);
    readRange(place.file, entry.size)
      .then(done, () => done(null))
      .finally(() => this.loading.delete(entry));
  }

  async settled(): Promise<void> {
    while (this.queues.size > 0) await Promise.all(this.queues.values());
  }

  *byAge(): IterableIterator<StoredEntry> {
    for (const [, entry] of this.files.entries()) yield entry;
  }

  resize(maxSize: number): void {
    this.limit = maxSize;
    if (!this.reading) this.files.resize(maxSize);
  }

  close(): void {
    this.closed = true;
    this.files.clear();
  }

  // private

  private enqueue(id: string, op: () => Promise<void>): void {
    const before = this.queues.get(id) ?? Promise.resolve();
    const after = before.then(op).catch((err: NodeJS.ErrnoException) => this.failed('file operation', err));
    this.queues.set(id, after);
    void after.then(() => {
      if (this.queues.get(id) === after) this.queues.delete(id);
    });
  }

  /** Writes the file under a temp name, then renames it into place. */
  private async write(entry: StoredEntry, body: Buffer | null, from: DiskPlace | null): Promise<void> {
    if (this.closed) return this.owner.unsaved(entry);
    const file = join(this.config.path, entryFileName(entry.id));
    const temp = join(this.config.path, tempFileName());
    const tail = encodeHead(entry.head(), entry.size);
    try {
      if (body !== null) await writeWhole(temp, [body, tail]);
      else if (from !== null) await copyBody(from.file, entry.size, temp, tail);
      else throw new Error('no body to write');
      await rename(temp, file);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      this.failed(`write of ${entry.key}`, err as NodeJS.ErrnoException);
      return this.owner.unsaved(entry);
    }
    const place = { file, fileSize: entry.size + tail.length };
    if (this.closed || !this.owner.saved(entry, place)) return; // purged or replaced meanwhile: its unlink or rewrite is queued
    this.files.set(entry.id, entry, place.fileSize);
  }

  /** Least recently used by age (file times for what was read back), then held to maxSize. */
  private readBackDone(): void {
    this.reading = false;
    this.decidedWhileReading.clear();
    if (this.closed) return;
    const all = [...this.files.entries()].map(([, entry]) => entry).sort((a, b) => a.lastUsed - b.lastUsed);
    for (const entry of all) this.files.set(entry.id, entry, entry.disk!.fileSize);
    this.files.resize(this.limit);
  }

  /** Pushed out to stay under maxSize: the zone forgets it unless memory still holds it. */
  private evict(id: string, entry: StoredEntry): void {
    const file = join(this.config.path, entryFileName(id));
    this.enqueue(id, () => unlink(file).catch((err: NodeJS.ErrnoException) => this.unlinkFailed(err)));
    this.owner.evicted(entry);
  }

  /** Reads every entry file back into the index; removes temp files and anything unreadable. */
  private async readBack(): Promise<void> {
    await mkdir(this.config.path, { recursive: true });
    const removed: string[] = [];
    const foreign: string[] = [];
    let count = 0;
    for await (const dirent of await opendir(this.config.path)) {
      if (this.closed) return;
      if (!dirent.isFile() || isOwnTemp(dirent.name)) continue;
      if (!isCacheFileName(dirent.name)) {
        foreign.push(dirent.name);
        continue;
      }
      const file = join(this.config.path, dirent.name);
      if (this.decidedWhileReading.has(dirent.name)) continue;
      const found = dirent.name.startsWith(TEMP_PREFIX) ? null : await readEntry(file, dirent.name).catch(() => null);
      if (this.closed) return; // closed during the read: the directory is the next owner's to judge
      if (this.decidedWhileReading.has(dirent.name)) continue; // written or removed meanwhile: its queued operation decides
      if (found === null) {
        removed.push(dirent.name);
        await unlink(file).catch(() => undefined);
      } else if (!this.files.has(found.entry.id) && this.owner.found(found.entry)) {
        this.files.set(found.entry.id, found.entry, found.entry.disk!.fileSize);
        count++;
      }
    }
    if (removed.length > 0) {
      const quoted = removed.slice(0, QUOTED_FILES).join(', ') + (removed.length > QUOTED_FILES ? ', ...' : '');
      this.log.warn({ zone: this.owner.name, path: this.config.path, files: removed.length }, `cache zone ${this.owner.name}: removed ${removed.length} unreadable or unfinished files (${quoted})`);
    }
    if (foreign.length > 0) {
      const quoted = foreign.slice(0, QUOTED_FILES).join(', ') + (foreign.length > QUOTED_FILES ? ', ...' : '');
      this.log.warn({ zone: this.owner.name, path: this.config.path, files: foreign.length }, `cache zone ${this.owner.name}: ${foreign.length} files that are not cache entries left alone (${quoted}); give the zone a directory of its own`);
    }
    if (count > 0) this.log.info({ zone: this.owner.name, path: this.config.path, entries: count }, 'cache zone read back from disk');
  }

  private unlinkFailed(err: NodeJS.ErrnoException): void {
    if (err.code !== 'ENOENT') this.failed('remove', err);
  }

  private failed(what: string, err: NodeJS.ErrnoException): void {
    const code = err.code ?? 'error';
    const now = Date.now();
    if (now - (this.errorsLogged.get(code) ?? -Infinity) < ERROR_LOG_EVERY) return;
    this.errorsLogged.set(code, now);
    this.log.warn({ zone: this.owner.name, path: this.config.path, error: code, detail: err.message }, `cache zone ${this.owner.name}: disk ${what} failed, dropped`);
  }
}

/** One file read back: the entry when the file is whole and ours, null otherwise. */
async function readEntry(file: string, name: string): Promise<{ entry: StoredEntry } | null> {
  if (!name.endsWith(ENTRY_SUFFIX)) return null;
  const handle = await open(file, 'r');
  try {
    const { size: fileSize, mtimeMs } = await handle.stat();
    if (fileSize < TRAILER_BYTES) return null;
    const trailer = await readAt(handle, fileSize - TRAILER_BYTES, TRAILER_BYTES);
    const headLength = decodeTrailer(trailer, fileSize);
    if (headLength === null) return null;
    const head = decodeHead(await readAt(handle, fileSize - TRAILER_BYTES - headLength, headLength), fileSize);
    if (head === null || entryFileName(variantId(head.key, head.vary)) !== name) return null;
    const entry = new StoredEntry(head, head.size, null);
    entry.disk = { file, fileSize };
    entry.lastUsed = Math.min(mtimeMs, Date.now()); // when it was written: use times are not kept across restarts
    return { entry };
  } finally {
    await handle.close();
  }
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  if (bytesRead !== length) throw new Error('short read');
  return buffer;
}

/** The first `size` bytes of a file (an entry's body). */
async function readRange(file: string, size: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    return await readAt(handle, 0, size);
  } finally {
    await handle.close();
  }
}

/** A refresh of a disk-only entry: the body copied from its file, then the new head. */
async function copyBody(source: string, size: number, temp: string, tail: Buffer): Promise<void> {
  const out = await open(temp, 'wx');
  try {
    let copied = 0;
    if (size > 0) {
      for await (const chunk of createReadStream(source, { start: 0, end: size - 1 })) {
        await out.write(chunk as Buffer);
        copied += (chunk as Buffer).length;
      }
    }
    if (copied !== size) throw new Error('source file cut short');
    await out.write(tail);
  } finally {
    await out.close();
  }
}

/** A new file with these buffers, in one writev where the system takes it all at once. */
async function writeWhole(file: string, buffers: Buffer[]): Promise<void> {
  const out = await open(file, 'wx');
  try {
    let rest = buffers;
    while (rest.length > 0) {
      const { bytesWritten } = await out.writev(rest);
      rest = skipBytes(rest, bytesWritten);
    }
  } finally {
    await out.close();
  }
}

function skipBytes(buffers: Buffer[], count: number): Buffer[] {
  const rest: Buffer[] = [];
  for (const b of buffers) {
    if (count >= b.length) count -= b.length;
    else {
      rest.push(b.subarray(count));
      count = 0;
    }
  }
  return rest;
}
