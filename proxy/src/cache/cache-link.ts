// The cache's link in the response chain (sticky -> compress -> cache -> response rules -> writer):
// stores an upstream answer while it streams to the client, and replaces it with the stored entry
// when the upstream revalidated it (304: REVALIDATED) or failed and a stale entry may be used
// (proxy_cache_use_stale error, timeout, http_5xx; RFC 5861 stale-if-error). A store is aborted
// when the response fails, is cut, or grows over the zone's maxEntrySize.
import type { StaleCondition } from '../config/resolved';
import type { Downstream, DownstreamCloseListener } from '../downstream/downstream';
import type { ProxyError } from '../forward/proxy-errors';
import { ResponseHandlerWrapper, type ResponseHandler } from '../forward/response-handler';
import { adoptBodyBuffer } from '../upstream/h1/body-buffers';
import type { CachePolicy } from './cache-policy';
import type { CachedHead, CacheEntry, CacheStatus, CacheWrite } from './cache-types';
import type { LockHold } from './cache-lock';
import { serveEntryInto, type EntryReader } from './cache-hit';
import { responseFreshness, type Freshness } from './freshness';
import { hasRawHeader } from '../net/raw-headers';
import { varyNames, varyReader, varyValues } from './vary';

/** What the flow decided for a request that goes upstream. */
export class CacheRequest {
  constructor(
    readonly policy: CachePolicy,
    readonly key: string,
    /** MISS, EXPIRED or BYPASS: the status of an answer passed on from the upstream. */
    readonly status: CacheStatus,
    /** The answer may be stored (the request allows it; the response decides too). */
    readonly store: boolean,
    /** The lock this request holds on its key, released once the answer is stored or known not to be. */
    readonly hold: LockHold | null,
    /** The expired entry: served on error (use stale) and revalidated with a conditional request. */
    readonly stale: CacheEntry | null,
    /** A background update: nobody reads the answer. */
    readonly background: boolean,
  ) {}

  /** The request sent upstream revalidates `stale` with its validators (proxy_cache_revalidate). */
  get revalidates(): boolean {
    const e = this.stale;
    return e !== null && this.store && this.policy.config.revalidate && (e.etag !== null || e.lastModified !== null);
  }

  /**
   * The upstream request's headers: when the answer may be stored, the client's own conditional
   * and Range headers are dropped (the cache wants the full response; NGINX does the same), and a
   * revalidation adds the entry's validators.
   */
  upstreamHeaders(headers: string[]): string[] {
    if (!this.store) return headers;
    const out: string[] = [];
    for (let i = 0; i < headers.length; i += 2) {
      if (!CONDITIONAL.has(headers[i].toLowerCase())) out.push(headers[i], headers[i + 1]);
    }
    if (this.revalidates) {
      const e = this.stale as CacheEntry;
      if (e.etag !== null) out.push('if-none-match', e.etag);
      if (e.lastModified !== null) out.push('if-modified-since', e.lastModified);
    }
    return out;
  }
}

const CONDITIONAL = new Set(['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'range', 'if-range']);
/** Not kept in a stored head: another client's cookies, and what is recomputed per answer. */
const NOT_STORED = new Set(['set-cookie', 'content-length', 'age', 'x-cache-status', 'x-accel-expires']);
const STALE_STATUSES = new Map<number, StaleCondition>([
  [500, 'http_500'], [502, 'http_502'], [503, 'http_503'], [504, 'http_504'], [403, 'http_403'], [404, 'http_404'], [429, 'http_429'],
]);

export class CacheLink extends ResponseHandlerWrapper implements DownstreamCloseListener {
  private write: CacheWrite | null = null;
  /** The upstream's answer was replaced by a stored entry: what follows from the upstream is dropped. */
  private replaced = false;
  private reader: EntryReader | null = null;
  private closeListener: DownstreamCloseListener | null = null;

  constructor(
    next: ResponseHandler,
    private readonly req: CacheRequest,
    private readonly ds: Downstream,
  ) {
    super(next);
  }

  /** Hears the client go away before the forwarding does (which it then tells). */
  attach(forwarding: DownstreamCloseListener): void {
    this.closeListener = forwarding;
    this.ds.onClose(this);
  }

  onHeaders(status: number, headers: string[], resume: () => void): boolean {
    const req = this.req;
    const stale = req.stale;
    if (stale !== null) {
      if (status === 304 && req.revalidates) return this.revalidated(stale, headers);
      if (this.staleOnStatus(status, stale)) return this.serveStale(stale, 'STALE');
    }
    if (req.store) this.begin(status, headers);
    if (this.write === null) this.unlock();
    this.ds.cacheStatus = req.status;
    headers.push('X-Cache-Status', req.status);
    return this.next.onHeaders(status, headers, resume);
  }

  onData(chunk: Buffer): boolean {
    if (this.replaced) return true; // the upstream's body of a replaced answer is read and dropped
    const write = this.write;
    if (write !== null) {
      adoptBodyBuffer(chunk); // the entry keeps it: the client writer must not recycle it
      if (!write.write(chunk)) this.dropWrite(false);
    }
    return this.next.onData(chunk);
  }

  onComplete(): void {
    if (this.replaced) return;
    const write = this.write;
    if (write !== null) {
      this.write = null;
      write.commit(); // the zone counts the store
    }
    this.next.onComplete();
    this.unlock(); // waiters look up again, after this client's answer went out
  }

  onError(error: ProxyError): void {
    if (this.write !== null) this.dropWrite(true);
    const stale = this.req.stale;
    if (!this.replaced && stale !== null && !this.ds.headersSent && this.staleOnError(error, stale)) {
      this.serveStale(stale, 'STALE');
      return;
    }
    this.unlock();
    if (!this.replaced) this.next.onError(error);
  }

  downstreamClosed(): void {
    if (this.write !== null) this.dropWrite(true);
    this.reader?.stop();
    this.unlock();
    this.closeListener?.downstreamClosed();
  }

  // ---- storing ----

  private begin(status: number, headers: string[]): void {
    const req = this.req;
    const policy = req.policy;
    const now = Date.now();
    const fresh = responseFreshness(status, headers, policy.config, now);
    if (fresh === null) return;
    // RFC 9111 §3.5: an answer to a request with credentials is shared only when it says so.
    if (!fresh.shareable && hasRawHeader(this.ds.rawHeaders, 'authorization')) return;
    const names = policy.config.ignoreHeaders.has('vary') ? [] : varyNames(headers);
    if (names === '*') return;
    const head = storedHead(req.key, varyValues(names, this.ds.rawHeaders), status, headers, fresh, now);
    this.write = policy.zone.begin(head, contentLength(headers));
  }

  private dropWrite(abort: boolean): void {
    const write = this.write;
    this.write = null;
    if (abort && write !== null) write.abort();
    this.unlock();
  }

  private unlock(): void {
    const hold = this.req.hold;
    if (hold !== null) hold.release();
  }

  // ---- answers from the stored entry ----

  /** 304 to our conditional request: the entry is fresh again (zone.refresh) and served. */
  private revalidated(entry: CacheEntry, headers: string[]): boolean {
    const req = this.req;
    const zone = req.policy.zone;
    const now = Date.now();
    const merged = mergeHeaders(entry.headers, headers);
    const fresh = responseFreshness(entry.status, merged, req.policy.config, now);
    let served = entry;
    if (fresh !== null) {
      zone.refresh(entry, {
        headers: merged,
        storedAt: now,
        expiresAt: now + fresh.ttl,
        staleWhileRevalidate: fresh.staleWhileRevalidate,
        staleIfError: fresh.staleIfError,
        etag: headerValue(merged, 'etag'),
        lastModified: headerValue(merged, 'last-modified'),
      });
      served = zone.lookup(req.key, varyReader(this.ds.rawHeaders)) ?? entry;
    }
    zone.stats.revalidated++;
    return this.serveStale(served, 'REVALIDATED');
  }

  private serveStale(entry: CacheEntry, status: CacheStatus): boolean {
    this.replaced = true;
    if (status === 'STALE') this.req.policy.zone.stats.stale++;
    this.unlock();
    if (!this.req.background) this.reader = serveEntryInto(this.next, this.ds, entry, status);
    return true;
  }

  /** proxy_cache_use_stale http_5xx (and the like), or the entry's stale-if-error window. */
  private staleOnStatus(status: number, entry: CacheEntry): boolean {
    const condition = STALE_STATUSES.get(status);
    if (condition === undefined) return false;
    if (this.req.policy.config.useStale.has(condition)) return true;
    return status >= 500 && status !== 501 && withinStaleIfError(entry);
  }

  private staleOnError(error: ProxyError, entry: CacheEntry): boolean {
    return this.req.policy.config.useStale.has(error.kind as StaleCondition) || withinStaleIfError(entry);
  }
}

function withinStaleIfError(entry: CacheEntry): boolean {
  return entry.staleIfError > 0 && Date.now() < entry.expiresAt + entry.staleIfError;
}

function storedHead(key: string, vary: [string, string][], status: number, headers: string[], fresh: Freshness, now: number): CachedHead {
  const kept: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    if (!NOT_STORED.has(headers[i].toLowerCase())) kept.push(headers[i], headers[i + 1]);
  }
  return {
    key,
    vary,
    status,
    headers: kept,
    storedAt: now,
    expiresAt: now + fresh.ttl,
    staleWhileRevalidate: fresh.staleWhileRevalidate,
    staleIfError: fresh.staleIfError,
    etag: headerValue(headers, 'etag'),
    lastModified: headerValue(headers, 'last-modified'),
  };
}

/** RFC 9111 §3.2: a 304's headers replace the stored ones of the same name (never a body's Content-*Length*). */
function mergeHeaders(stored: readonly string[], fresh: readonly string[]): string[] {
  const replaced = new Set<string>();
  for (let i = 0; i < fresh.length; i += 2) {
    const name = fresh[i].toLowerCase();
    if (!NOT_STORED.has(name) && name !== 'content-encoding' && name !== 'content-type') replaced.add(name);
  }
  const out: string[] = [];
  for (let i = 0; i < stored.length; i += 2) {
    if (!replaced.has(stored[i].toLowerCase())) out.push(stored[i], stored[i + 1]);
  }
  const storedTag = headerValue(stored, 'etag');
  const weak = storedTag !== null && storedTag.startsWith('W/');
  for (let i = 0; i < fresh.length; i += 2) {
    const name = fresh[i].toLowerCase();
    if (!replaced.has(name)) continue;
    // A stored weak tag stays weak: the compression link weakened it (the stored bytes are a
    // compressed variant), and the upstream's 304 names its identity bytes with the strong tag.
    const value = weak && name === 'etag' && !fresh[i + 1].startsWith('W/') ? `W/${fresh[i + 1]}` : fresh[i + 1];
    out.push(fresh[i], value);
  }
  return out;
}

function headerValue(headers: readonly string[], lower: string): string | null {
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i].length === lower.length && headers[i].toLowerCase() === lower) return headers[i + 1];
  }
  return null;
}

function contentLength(headers: readonly string[]): number | null {
  const v = headerValue(headers, 'content-length');
  if (v === null || !/^\d+$/.test(v)) return null;
  return Number(v);
}
