// A cache zone's storage (NGINX proxy_cache_path): the index of stored variants by key, a memory
// tier bounded in bytes (LRU), and an optional disk tier.
//
// With a disk tier, storing is write-through: a committed entry is in memory at once (served from
// there) and its file is written in the background; memory is a bounded copy of the hottest
// entries. An entry pushed out of memory stays in the zone while its file is in place; a hit on a
// disk-only entry streams from the file and promotes the body back into memory (read in the
// background, so the next hit takes the fast path).
import type { ResolvedCacheZone } from '../config/resolved';
import type { CachedHead, CacheEntry, CacheWrite, CacheZone, CacheZoneStats } from './cache-types';
import { LruBytes } from '../lru-bytes';
import { StoredEntry, type DiskPlace } from './stored-entry';

/** What the zone asks of its disk tier (disk-tier.ts). */
export interface ZoneDisk {
  /** Settles once the files found at start are in the index. */
  readonly ready: Promise<void>;
  readonly bytes: number;
  readonly entries: number;
  /** Writes the entry's file in the background (body from `body`, or copied from `from`); answers with saved() or unsaved(). */
  save(entry: StoredEntry, body: Buffer | null, from: DiskPlace | null): void;
  /** Removes the entry's file (after any write of it still under way). */
  remove(entry: StoredEntry): void;
  /** A hit: most recently used on disk too. */
  used(entry: StoredEntry): void;
  /** False when the file is gone or not whole any more (checked before serving from it). */
  intact(entry: StoredEntry): boolean;
  /** Reads the body into memory in the background; calls back with null when it cannot. */
  load(entry: StoredEntry, done: (body: Buffer | null) => void): void;
  /** Least recently used first. */
  byAge(): IterableIterator<StoredEntry>;
  /** Settles when no file operation is under way. */
  settled(): Promise<void>;
  resize(maxSize: number): void;
  close(): void;
}

/** What the disk tier tells its zone. */
export interface DiskOwner {
  readonly name: string;
  /** Found at start in the directory: added unless the zone already has a newer one. */
  found(entry: StoredEntry): boolean;
  saved(entry: StoredEntry, place: DiskPlace): boolean;
  unsaved(entry: StoredEntry): void;
  /** Pushed out of the disk tier to keep it under maxSize. */
  evicted(entry: StoredEntry): void;
}

export type DiskFactory = (config: NonNullable<ResolvedCacheZone['disk']>, owner: DiskOwner) => ZoneDisk;

/**
 * Variants kept per key. A Vary on a header the client picks freely (User-Agent, Cookie) would
 * otherwise grow one key without end, and every lookup of it walks its variants. NGINX keeps one;
 * past this many the oldest goes.
 */
export const MAX_VARIANTS = 32;

/** proxy_cache_min_uses counters: the least recently counted keys are forgotten past this many bytes. */
const USE_COUNTS_BYTES = 1024 * 1024;
const USE_COUNT_OVERHEAD = 64;

export class StoredZone implements CacheZone, DiskOwner {
  readonly name: string;
  readonly stats: CacheZoneStats = { hits: 0, misses: 0, bypasses: 0, stale: 0, revalidated: 0, stores: 0, evictions: 0 };
  private readonly index = new Map<string, StoredEntry[]>();
  private count = 0;
  private readonly memory: LruBytes<StoredEntry, true>;
  private readonly uses = new LruBytes<string, { n: number }>(USE_COUNTS_BYTES);
  /** Responses being stored now (a purge drops the ones it matches). */
  private readonly writes = new Set<ZoneWrite>();
  /** Body bytes those responses hold now: bounded (writingLimit), or many large misses at once would each buffer a whole entry. */
  private writing = 0;
  private readonly disk: ZoneDisk | null;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private config: ResolvedCacheZone,
    diskFactory?: DiskFactory,
  ) {
    this.name = config.name;
    this.memory = new LruBytes(config.maxSize, (entry) => this.leftMemory(entry));
    this.disk = config.disk !== null && diskFactory !== undefined ? diskFactory(config.disk, this) : null;
    if (config.disk !== null) this.startSweeper(config.disk.inactive);
  }

  /** Settles once a disk tier's files found at start are in the index (at once without one). */
  get ready(): Promise<void> {
    return this.disk?.ready ?? Promise.resolve();
  }

  /** Settles once every file write and removal asked for so far is done (tests, shutdown). */
  settled(): Promise<void> {
    return this.disk?.settled() ?? Promise.resolve();
  }

  get settings(): ResolvedCacheZone {
    return this.config;
  }

  usage(): { entries: number; memoryBytes: number; diskBytes: number } {
    return { entries: this.count, memoryBytes: this.memory.bytes, diskBytes: this.disk?.bytes ?? 0 };
  }

  /** Entries and bytes per tier (the metrics' gauges). */
  tiers(): { memory: { entries: number; bytes: number }; disk: { entries: number; bytes: number } | null } {
    const disk = this.disk === null ? null : { entries: this.disk.entries, bytes: this.disk.bytes };
    return { memory: { entries: this.memory.size, bytes: this.memory.bytes }, disk };
  }

  lookup(key: string, header: (name: string) => string, now = Date.now()): CacheEntry | null {
    const variants = this.index.get(key);
    if (variants === undefined) return null;
    for (let i = variants.length - 1; i >= 0; i--) {
      const entry = variants[i];
      if (entry.matches(header)) return this.serve(entry, now);
    }
    return null;
  }

  begin(head: CachedHead, contentLength: number | null): CacheWrite | null {
    const limit = this.entryLimit();
    if (contentLength !== null && contentLength > limit) return null;
    const write = new ZoneWrite(this, head, contentLength, limit);
    this.writes.add(write);
    return write;
  }

  refresh(
    entry: CacheEntry,
    update: Pick<CachedHead, 'headers' | 'storedAt' | 'expiresAt' | 'staleWhileRevalidate' | 'staleIfError' | 'etag' | 'lastModified'>,
  ): void {
    const current = entry as StoredEntry;
    const variants = this.index.get(current.key);
    const at = variants?.indexOf(current) ?? -1;
    if (variants === undefined || at < 0) return; // purged or replaced meanwhile: nothing to refresh
    const next = new StoredEntry({ ...current.head(), ...update }, current.size, current.body);
    next.disk = current.disk; // the body stays where it is; only the head is rewritten
    variants[at] = next;
    if (this.memory.delete(current) !== undefined) this.memory.set(next, true, next.memorySize);
    // Same variant, same file name: the new file (head rewritten, body copied) replaces the old one.
    if (this.disk !== null && (next.body !== null || next.disk !== null)) this.save(next, next.disk);
  }

  use(key: string): number {
    const counted = this.uses.get(key);
    if (counted !== undefined) return ++counted.n;
    this.uses.set(key, { n: 1 }, key.length * 2 + USE_COUNT_OVERHEAD);
    return 1;
  }

  purge(pattern: string): number {
    const prefix = pattern.endsWith('*') ? pattern.slice(0, -1) : null;
    const hit = prefix === null ? (key: string) => key === pattern : (key: string) => key.startsWith(prefix);
    for (const write of this.writes) if (hit(write.key)) write.abort();
    let removed = 0;
    const keys = prefix === null ? (this.index.has(pattern) ? [pattern] : []) : [...this.index.keys()].filter(hit);
    for (const key of keys) {
      for (const entry of this.index.get(key)!.slice()) {
        this.remove(entry);
        removed++;
      }
      this.uses.delete(key);
    }
    return removed;
  }

  /**
   * New bounds for the same zone (a reload that changed only sizes or `inactive`): the content is
   * kept and trimmed to fit, least recently used first.
   */
  resize(config: ResolvedCacheZone): void {
    this.config = config;
    this.memory.resize(config.maxSize);
    if (config.disk !== null) {
      this.disk?.resize(config.disk.maxSize);
      this.startSweeper(config.disk.inactive);
    }
  }

  /** Stops timers and drops the memory tier; files on disk stay for the next zone on that directory. */
  close(): void {
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.sweeper = null;
    for (const write of this.writes) write.abort();
    this.disk?.close();
    this.memory.clear();
    this.index.clear();
    this.count = 0;
  }

  /** The largest body this zone stores: without a disk tier it must also fit in memory. */
  entryLimit(): number {
    return this.disk === null ? Math.min(this.config.maxEntrySize, this.config.maxSize) : this.config.maxEntrySize;
  }

  /**
   * Bytes the responses being stored may hold together: the memory tier's bound (at least one
   * entry). A write that would go past it is dropped and its response streams through uncached.
   */
  writingLimit(): number {
    return Math.max(this.config.maxSize, this.entryLimit());
  }

  /** Body bytes the responses being stored hold now (at most writingLimit()). */
  get writingBytes(): number {
    return this.writing;
  }

  /** A write takes `n` more bytes; false (nothing taken) when the writes would hold too much. */
  reserve(n: number): boolean {
    if (this.writing + n > this.writingLimit()) return false;
    this.writing += n;
    return true;
  }

  /** A write let go of `n` bytes (stored, dropped or aborted). */
  unreserve(n: number): void {
    this.writing -= n;
  }

  /** A write finished whole: the entry replaces the same key and vary values. */
  store(write: ZoneWrite, head: CachedHead, body: Buffer): void {
    this.writes.delete(write);
    const entry = new StoredEntry(head, body.length, body);
    const variants = this.index.get(entry.key);
    const old = variants?.find((v) => v.id === entry.id);
    if (old !== undefined) this.remove(old);
    const list = this.index.get(entry.key);
    if (list === undefined) this.index.set(entry.key, [entry]);
    else {
      if (list.length >= MAX_VARIANTS) {
        this.stats.evictions++;
        this.remove(list[0]);
      }
      list.push(entry);
    }
    this.count++;
    this.stats.stores++;
    const inMemory = this.memory.set(entry, true, entry.memorySize);
    if (this.disk !== null) this.save(entry, null);
    else if (!inMemory) this.remove(entry);
  }

  forget(write: ZoneWrite): void {
    this.writes.delete(write);
  }

  // DiskOwner

  found(entry: StoredEntry): boolean {
    const variants = this.index.get(entry.key);
    if (variants?.some((v) => v.id === entry.id)) return false;
    if (variants === undefined) this.index.set(entry.key, [entry]);
    else variants.unshift(entry); // older than anything stored since the start
    this.count++;
    return true;
  }

  saved(entry: StoredEntry, place: DiskPlace): boolean {
    entry.saving = false;
    if (!this.holds(entry)) return false;
    entry.disk = place;
    if (!this.memory.has(entry)) entry.body = null; // held only until the file was in place
    return true;
  }

  unsaved(entry: StoredEntry): void {
    entry.saving = false;
    if (this.holds(entry) && !this.memory.has(entry)) this.remove(entry);
  }

  evicted(entry: StoredEntry): void {
    entry.disk = null;
    if (!this.holds(entry)) return;
    if (this.memory.has(entry)) return; // still served from memory
    this.stats.evictions++;
    this.remove(entry);
  }

  // private

  private serve(entry: StoredEntry, now: number): StoredEntry | null {
    entry.lastUsed = now;
    if (entry.body !== null) {
      this.memory.touch(entry);
      this.disk?.used(entry);
      return entry;
    }
    const disk = this.disk;
    if (disk === null || entry.disk === null) return null; // its file is still being written
    if (!disk.intact(entry)) {
      this.remove(entry);
      return null;
    }
    disk.used(entry);
    this.promote(entry, disk);
    return entry;
  }

  private promote(entry: StoredEntry, disk: ZoneDisk): void {
    if (entry.memorySize > this.memory.maxBytes) return;
    disk.load(entry, (body) => {
      if (body === null || !this.holds(entry) || entry.body !== null || body.length !== entry.size) return;
      entry.body = body;
      this.memory.set(entry, true, entry.memorySize);
    });
  }

  /** Pushed out of memory: kept while its file is there (or being written), else gone. */
  private leftMemory(entry: StoredEntry): void {
    if (!this.holds(entry)) return;
    if (entry.disk !== null) {
      entry.body = null;
      return;
    }
    if (entry.saving) return; // the body stays until its file is in place (saved() lets go of it)
    this.stats.evictions++;
    this.remove(entry);
  }

  private save(entry: StoredEntry, from: DiskPlace | null): void {
    entry.saving = true;
    this.disk!.save(entry, entry.body, from);
  }

  private holds(entry: StoredEntry): boolean {
    return this.index.get(entry.key)?.includes(entry) ?? false;
  }

  private remove(entry: StoredEntry): void {
    const variants = this.index.get(entry.key);
    const at = variants?.indexOf(entry) ?? -1;
    if (variants === undefined || at < 0) return;
    variants.splice(at, 1);
    if (variants.length === 0) this.index.delete(entry.key);
    this.count--;
    this.memory.delete(entry);
    this.disk?.remove(entry);
  }

  /** NGINX `inactive`: entries not used for that long are removed from both tiers. */
  private startSweeper(inactive: number): void {
    if (this.sweeper !== null) clearInterval(this.sweeper);
    const every = Math.max(10, Math.min(60_000, Math.floor(inactive / 4)));
    this.sweeper = setInterval(() => this.sweep(Date.now() - inactive), every);
    this.sweeper.unref();
  }

  private sweep(cutoff: number): void {
    const old: StoredEntry[] = [];
    for (const [entry] of this.memory.entries()) {
      if (entry.lastUsed >= cutoff) break;
      old.push(entry);
    }
    if (this.disk !== null) {
      for (const entry of this.disk.byAge()) {
        if (entry.lastUsed >= cutoff) break;
        old.push(entry);
      }
    }
    for (const entry of old) {
      if (!this.holds(entry)) continue;
      this.stats.evictions++;
      this.remove(entry);
    }
  }
}

/** One response being stored: its chunks gathered up to the zone's entry limit. */
class ZoneWrite implements CacheWrite {
  private chunks: Buffer[] = [];
  private size = 0;
  private open = true;

  constructor(
    private readonly zone: StoredZone,
    private readonly head: CachedHead,
    private readonly contentLength: number | null,
    private readonly limit: number,
  ) {}

  get key(): string {
    return this.head.key;
  }

  write(chunk: Buffer): boolean {
    if (!this.open) return false;
    if (this.size + chunk.length > this.limit || !this.zone.reserve(chunk.length)) {
      this.abort();
      return false;
    }
    this.size += chunk.length;
    this.chunks.push(chunk);
    return true;
  }

  commit(): void {
    if (!this.open) return;
    this.open = false;
    const body = Buffer.concat(this.chunks, this.size);
    this.chunks = [];
    this.zone.unreserve(this.size);
    // A body shorter or longer than its Content-Length was cut or is broken: never stored.
    if (this.contentLength !== null && body.length !== this.contentLength) return this.zone.forget(this);
    this.zone.store(this, this.head, body);
  }

  abort(): void {
    if (this.open) this.zone.unreserve(this.size);
    this.open = false;
    this.chunks = [];
    this.zone.forget(this);
  }
}
