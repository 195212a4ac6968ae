// The contract between the cache's flow (what to look up, serve, store, revalidate: cache-flow and
// its links) and its storage (zones with a memory tier and an optional disk tier). The flow never
// sees files; the storage never sees requests beyond the header values a Vary names.
import type { Readable } from 'node:stream';

/** $upstream_cache_status, sent as X-Cache-Status. */
export type CacheStatus = 'MISS' | 'HIT' | 'EXPIRED' | 'STALE' | 'UPDATING' | 'REVALIDATED' | 'BYPASS';

/** What is known of a stored response before its body is read. */
export interface CachedHead {
  /** The primary key: the route's key template evaluated. */
  readonly key: string;
  /**
   * The request header values this variant was stored for: the response's Vary names, lowercased,
   * each with the request's normalized value ('' when absent). Empty when the response has no Vary.
   */
  readonly vary: readonly (readonly [name: string, value: string])[];
  readonly status: number;
  /** Headers as they will be sent: flat [name, value, ...]; hop-by-hop and Set-Cookie never stored. */
  readonly headers: readonly string[];
  /** Date.now() when the response arrived (or was last revalidated). */
  readonly storedAt: number;
  /** Fresh until this time (ms since the epoch). */
  readonly expiresAt: number;
  /** RFC 5861 stale-while-revalidate / stale-if-error from the response: ms past expiresAt; 0: none. */
  readonly staleWhileRevalidate: number;
  readonly staleIfError: number;
  readonly etag: string | null;
  readonly lastModified: string | null;
}

export interface CacheEntry extends CachedHead {
  /** Body length in bytes. */
  readonly size: number;
  /** The whole body when the memory tier holds it (the fast path of a hit); null when only on disk. */
  readonly body: Buffer | null;
  /** The body bytes [start, end] (inclusive; defaults: the whole body), from memory or disk. */
  openBody(start?: number, end?: number): Readable;
}

/** One response being stored while it streams to the client. */
export interface CacheWrite {
  /** False once the entry is over the zone's maxEntrySize: it was dropped; stop writing to it. */
  write(chunk: Buffer): boolean;
  /** The body is complete: the entry becomes visible at once and whole (never half-written). */
  commit(): void;
  /** The response failed or was cut: nothing is stored. */
  abort(): void;
}

export interface CacheZoneStats {
  hits: number;
  misses: number;
  /** Bypassed lookups (bypass rules, Authorization, uncacheable methods). */
  bypasses: number;
  /** Served stale (STALE and UPDATING). */
  stale: number;
  revalidated: number;
  /** Entries written. */
  stores: number;
  evictions: number;
}

/** A cache zone (NGINX proxy_cache_path): named in config, kept across reloads with its content. */
export interface CacheZone {
  readonly name: string;
  /** Counters the flow bumps (hits, misses, ...) and the store bumps (stores, evictions). */
  readonly stats: CacheZoneStats;
  /** Bytes and entries held now, per tier. */
  usage(): { entries: number; memoryBytes: number; diskBytes: number };
  /**
   * The stored variant of `key` whose vary values match the request (`header` reads a request
   * header's normalized value by lowercased name), or null. Synchronous: the index is in memory.
   * `now`: Date.now() as the caller already read it (the entry's last use).
   */
  lookup(key: string, header: (name: string) => string, now?: number): CacheEntry | null;
  /**
   * Starts storing a response; null when the zone refuses it up front (a Content-Length over
   * maxEntrySize). Replaces the same key and vary values on commit.
   */
  begin(head: CachedHead, contentLength: number | null): CacheWrite | null;
  /** A 304 from the upstream refreshed a stored entry: new head fields, same body (REVALIDATED). */
  refresh(entry: CacheEntry, update: Pick<CachedHead, 'headers' | 'storedAt' | 'expiresAt' | 'staleWhileRevalidate' | 'staleIfError' | 'etag' | 'lastModified'>): void;
  /** Counts one request for `key` and returns the count (proxy_cache_min_uses); bounded memory. */
  use(key: string): number;
  /** Removes `key` (every variant), or every key starting with the prefix when `pattern` ends in '*'. Returns the number of entries removed. */
  purge(pattern: string): number;
}

/** The zones of the running config, by name; built on reload from the previous one (content kept). */
export interface CacheZones {
  get(name: string): CacheZone | undefined;
  all(): Iterable<CacheZone>;
}
