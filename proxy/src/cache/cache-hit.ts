// Serving a stored entry: the HIT path, and stale or revalidated entries served by the cache link.
// A client's If-None-Match / If-Modified-Since is answered 304 and a Range 206 (or 416) from the
// full entry (NGINX's not_modified and range filters); Age tells how old the entry is.
//
// Hot path (a memory entry, no conditional or Range header): one header array, writeHead, end(body).
import type { Readable } from 'node:stream';
import rangeParser from 'range-parser';
import type { Downstream, DownstreamCloseListener } from '../downstream/downstream';
import { ClientWriter } from '../forward/client-writer';
import type { HeaderRules } from '../forward/header-rules';
import { ProxyError } from '../forward/proxy-errors';
import type { ResponseHandler } from '../forward/response-handler';
import type { CacheEntry, CacheStatus } from './cache-types';
import { rawHeader } from '../net/raw-headers';

/** Request headers that change what an entry's answer is (a bit each). */
const IF_NONE_MATCH = 1;
const IF_MODIFIED_SINCE = 2;
const RANGE = 4;

/** The answer to a request from an entry: status, headers, and which bytes of the body (none: start > end). */
interface EntryAnswer {
  status: number;
  headers: string[];
  start: number;
  end: number;
}

/** Serves `entry` straight to the client (rules: the route's response header rules, applied as to any answer). */
export function serveEntry(ds: Downstream, entry: CacheEntry, status: CacheStatus, rules: HeaderRules | null, sendTimeout: number, now: number): number {
  ds.cacheStatus = status;
  const asks = entry.status === 200 ? requestAsks(ds.rawHeaders) : 0;
  let code = entry.status;
  let headers: string[];
  let start = 0;
  let end = entry.size - 1;
  if (asks === 0) headers = entryHeaders(entry, status, entry.size, now);
  else {
    const a = answer(entry, status, ds, asks, now);
    code = a.status;
    headers = a.headers;
    start = a.start;
    end = a.end;
  }
  const out = rules === null ? headers : rules.apply(headers, ds);
  const body = entry.body;
  if (body === null && start <= end && ds.method !== 'HEAD') return pumpToClient(ds, entry, code, out, start, end, sendTimeout);
  try {
    ds.writeHead(code, out);
  } catch {
    ds.fail(502, 'UPSTREAM_BAD_RESPONSE'); // a stored header node refuses: never an uncaught throw
    return 502;
  }
  if (start > end || body === null || ds.method === 'HEAD') ds.end(null, false);
  else ds.end(start === 0 && end === body.length - 1 ? body : body.subarray(start, end + 1), false);
  return code;
}

/** Serves `entry` into a response chain (the cache link's stale, updating and revalidated answers). */
export function serveEntryInto(next: ResponseHandler, ds: Downstream, entry: CacheEntry, status: CacheStatus): EntryReader | null {
  ds.cacheStatus = status;
  const a = answer(entry, status, ds, entry.status === 200 ? requestAsks(ds.rawHeaders) : 0, Date.now());
  const body = entry.body;
  if (a.start > a.end || ds.method === 'HEAD') {
    next.onHeaders(a.status, a.headers, noop);
    next.onComplete();
  } else if (body !== null) {
    next.onHeaders(a.status, a.headers, noop);
    next.onData(body.subarray(a.start, a.end + 1));
    next.onComplete();
  } else {
    const reader = new EntryReader(entry, a.start, a.end, next);
    next.onHeaders(a.status, a.headers, reader.resume);
    reader.begin();
    return reader;
  }
  return null;
}

/** The stored headers as sent: Content-Length (not stored: the body's own length is), Age, X-Cache-Status. */
function entryHeaders(entry: CacheEntry, status: CacheStatus, length: number, now: number): string[] {
  const stored = entry.headers;
  const n = stored.length;
  const out = new Array<string>(n + 6);
  for (let i = 0; i < n; i++) out[i] = stored[i];
  out[n] = 'Content-Length';
  out[n + 1] = decimal(length);
  out[n + 2] = 'Age';
  out[n + 3] = decimal(ageSeconds(entry, now));
  out[n + 4] = 'X-Cache-Status';
  out[n + 5] = status;
  return out;
}

function ageSeconds(entry: CacheEntry, now: number): number {
  const age = Math.floor((now - entry.storedAt) / 1000);
  return age > 0 ? age : 0;
}

/** Small numbers as text, converted once: lengths and ages are mostly small, and String() per hit shows in profiles. */
const DECIMALS: string[] = [];
const DECIMALS_MAX = 1 << 16;

function decimal(n: number): string {
  if (n >= DECIMALS_MAX) return String(n);
  return (DECIMALS[n] ??= String(n));
}

function requestAsks(raw: readonly string[]): number {
  let asks = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const n = name.length;
    if (n === 13 && name.toLowerCase() === 'if-none-match') asks |= IF_NONE_MATCH;
    else if (n === 17 && name.toLowerCase() === 'if-modified-since') asks |= IF_MODIFIED_SINCE;
    else if (n === 5 && name.toLowerCase() === 'range') asks |= RANGE;
  }
  return asks;
}

/** The answer to a conditional or Range request from a full 200 entry. */
function answer(entry: CacheEntry, status: CacheStatus, ds: Downstream, asks: number, now: number): EntryAnswer {
  const size = entry.size;
  const raw = ds.rawHeaders;
  if (asks & (IF_NONE_MATCH | IF_MODIFIED_SINCE) && notModified(entry, raw, asks)) {
    return { status: 304, headers: withStatus(entry.headers, status, ageSeconds(entry, now)), start: 1, end: 0 };
  }
  if (asks & RANGE && ds.method === 'GET' && ifRangeHolds(entry, rawHeader(raw, 'if-range'))) {
    const ranges = rangeParser(size, rawHeader(raw, 'range'), { combine: true });
    if (ranges === -1) {
      return { status: 416, headers: ['Content-Range', `bytes */${size}`, 'Content-Length', '0', 'X-Cache-Status', status], start: 1, end: 0 };
    }
    // Malformed, not bytes, or several ranges: the whole entry (RFC 9110 §14.2 lets a server ignore Range).
    if (ranges !== -2 && ranges.type === 'bytes' && ranges.length === 1) {
      const { start, end } = ranges[0];
      const headers = entryHeaders(entry, status, end - start + 1, now);
      headers.push('Content-Range', `bytes ${start}-${end}/${size}`);
      return { status: 206, headers, start, end };
    }
  }
  return { status: entry.status, headers: entryHeaders(entry, status, size, now), start: 0, end: size - 1 };
}

/** RFC 9110 §13.1.2 / §13.1.3: If-None-Match (weak comparison) wins over If-Modified-Since. */
function notModified(entry: CacheEntry, raw: readonly string[], asks: number): boolean {
  if (asks & IF_NONE_MATCH) {
    const value = rawHeader(raw, 'if-none-match').trim();
    if (value === '*') return true; // any stored representation matches, ETag or not
    const etag = entry.etag;
    if (etag === null) return false;
    const mine = opaque(etag);
    return value.split(',').some((tag) => opaque(tag.trim()) === mine);
  }
  if (entry.lastModified === null) return false;
  const since = Date.parse(rawHeader(raw, 'if-modified-since'));
  const modified = Date.parse(entry.lastModified);
  return !Number.isNaN(since) && !Number.isNaN(modified) && modified <= since;
}

/** RFC 9110 §13.1.5: If-Range with a strong ETag or the exact Last-Modified date; absent: true. */
function ifRangeHolds(entry: CacheEntry, ifRange: string): boolean {
  if (ifRange === '') return true;
  const v = ifRange.trim();
  if (v.startsWith('"')) return entry.etag !== null && !entry.etag.startsWith('W/') && v === entry.etag;
  if (v.startsWith('W/')) return false;
  return entry.lastModified !== null && v === entry.lastModified;
}

function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}

function withStatus(stored: readonly string[], status: CacheStatus, age: number): string[] {
  return [...stored, 'Age', String(age), 'X-Cache-Status', status];
}

function noop(): void {}

/** Streams a disk entry's body into a chain with backpressure; stop() ends the read (the client left). */
export class EntryReader implements DownstreamCloseListener {
  private readonly stream: Readable;
  readonly resume = (): void => {
    this.stream.resume();
  };

  constructor(
    entry: CacheEntry,
    start: number,
    end: number,
    private readonly next: ResponseHandler,
    private readonly writer: ClientWriter | null = null,
  ) {
    this.stream = entry.openBody(start, end);
  }

  begin(): void {
    const stream = this.stream;
    stream.on('data', (chunk: Buffer) => {
      if (!this.next.onData(chunk)) stream.pause();
    });
    stream.on('end', () => this.next.onComplete());
    stream.on('error', (err: Error) => this.next.onError(new ProxyError('UPSTREAM_RESET', `cache read failed: ${err.message}`)));
  }

  stop(): void {
    this.stream.destroy();
  }

  downstreamClosed(): void {
    this.writer?.clientGone();
    this.stop();
  }
}

/** A disk entry's body to the client, through a client writer (backpressure, send timeout). */
function pumpToClient(ds: Downstream, entry: CacheEntry, code: number, headers: string[], start: number, end: number, sendTimeout: number): number {
  const writer = new ClientWriter(ds, sendTimeout);
  const reader = new EntryReader(entry, start, end, writer, writer);
  ds.onClose(reader);
  try {
    writer.onHeaders(code, headers, reader.resume);
  } catch {
    reader.stop();
    ds.fail(502, 'UPSTREAM_BAD_RESPONSE');
    return 502;
  }
  reader.begin();
  return code;
}
