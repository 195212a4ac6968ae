// The answer for one found file, through the same response chain as a proxied answer (header rules,
// compression, client writer): validators and caching headers, 304 / 412, Range (206, 416), HEAD,
// then the body: a small file in one read and one write (within the open file cache's window a
// file up to 16 KiB needs no read: its bytes are kept), a large one streamed with backpressure.
//
// Range: a single range gets 206; several ranges get the whole file with 200 (RFC 9110 §14.2 lets
// a server ignore Range), as multipart/byteranges is rarely worth its cost.
import fs from 'node:fs';
import parseRange from 'range-parser';
import type { ResolvedCompress } from '../config/resolved';
import type { Downstream } from '../downstream/downstream';
import { ClientWriter } from '../forward/client-writer';
import type { HeaderRules } from '../forward/header-rules';
import { responseChain } from '../forward/response-chain';
import type { ResponseHandler } from '../forward/response-handler';
import { isRecyclable, takeBodyBuffer } from '../upstream/h1/body-buffers';
import type { RouteStats } from '../upstream/server-stats';
import type { Coding } from './accept-encoding';
import { contentTypeOf, decimal, etagOf, httpDateOf, pushExpires } from './file-headers';
import { FileStream } from './file-stream';
import { evaluatePreconditions, ifRangeHolds, type FileRequestHeaders } from './preconditions';
import { KEEP_BYTES, SMALL_FILE } from './open-file-cache';
import { release, type OpenedEntry } from './root-directory';

export interface FileResponseSettings {
  etag: boolean;
  expires: number | 'max' | null;
  responseRules: HeaderRules | null;
  /** On-the-fly compression of the route (a file without a .br/.gz sibling); null: none. */
  compress: ResolvedCompress | null;
  sendTimeout: number;
}

/** One file to send: the opened entry, the name its type comes from, its coding (a .br/.gz sibling). */
export interface FoundFile {
  entry: OpenedEntry;
  typePath: string;
  coding: Coding | null;
}

export function sendFile(ds: Downstream, s: FileResponseSettings, file: FoundFile, h: FileRequestHeaders, stats: RouteStats): void {
  const entry = file.entry;
  const { fd, stat } = entry;
  const size = stat.size;
  const mtime = Math.floor(stat.mtimeMs / 1000);
  const etag = s.etag ? etagOf(mtime, size) : null;
  const lastModified = httpDateOf(mtime);
  const headers: string[] = [];
  const pre = evaluatePreconditions(h, etag, mtime);
  if (pre !== 'send') {
    release(entry);
    if (pre === 304) pushValidators(headers, s, file, etag, lastModified);
    else headers.push('content-length', '0');
    sendHead(ds, s, pre, headers, stats);
    return;
  }
  headers.push('content-type', contentTypeOf(file.typePath));
  let start = 0;
  let length = size;
  let status = 200;
  if (h.range !== null && (h.ifRange === null || ifRangeHolds(h.ifRange, etag, lastModified))) {
    const ranges = parseRange(size, h.range, { combine: true });
    if (ranges === -1) {
      release(entry);
      headers.push('content-range', `bytes */${size}`, 'content-length', '0');
      sendHead(ds, s, 416, headers, stats);
      return;
    }
    if (ranges !== -2 && ranges.type === 'bytes' && ranges.length === 1) {
      status = 206;
      start = ranges[0].start;
      length = ranges[0].end - start + 1;
      headers.push('content-range', `bytes ${start}-${ranges[0].end}/${size}`);
    }
  }
  headers.push('content-length', decimal(length), 'accept-ranges', 'bytes');
  pushValidators(headers, s, file, etag, lastModified);
  if (ds.method === 'HEAD' || length === 0) {
    release(entry);
    sendHead(ds, s, status, headers, stats);
    return;
  }
  if (length <= SMALL_FILE) sendSmall(ds, s, entry, start, length, status, headers, stats);
  else sendLarge(ds, s, fd, start, length, status, headers, stats);
}

/** A head without a body (304, 412, 416, HEAD, an empty file). */
export function sendHead(ds: Downstream, s: FileResponseSettings, status: number, headers: string[], stats: RouteStats): void {
  stats.response(status);
  sendWhole(ds, s, status, headers, null);
}

/**
 * A head and a body already in memory. Without compression nothing in the chain needs the body
 * piece by piece, so it is written as a cache hit is: header rules applied, one writeHead, one
 * end() (what the client writer does for a held body, without its objects and closures).
 */
function sendWhole(ds: Downstream, s: FileResponseSettings, status: number, headers: string[], body: Buffer | null): void {
  if (s.compress === null) {
    const rules = s.responseRules;
    try {
      ds.writeHead(status, rules === null ? headers : rules.apply(headers, ds));
    } catch {
      ds.fail(500, 'BAD_RESPONSE_HEADER'); // a header rule's value node refuses: never an uncaught throw
      return;
    }
    ds.end(body, body !== null && isRecyclable(body));
    return;
  }
  const chain = responseChain(ds, new ClientWriter(ds, s.sendTimeout), s.responseRules, s.compress);
  const sender = new BufferedBody(chain, body);
  if (chain.onHeaders(status, headers, sender.resume)) sender.proceed();
}

/** ETag, Last-Modified, caching and coding headers: on 200 and 206, and again on 304 (RFC 9110 §15.4.5). */
function pushValidators(headers: string[], s: FileResponseSettings, file: FoundFile, etag: string | null, lastModified: string): void {
  headers.push('last-modified', lastModified);
  if (etag !== null) headers.push('etag', etag);
  if (s.expires !== null) pushExpires(headers, s.expires);
  if (file.coding !== null) headers.push('content-encoding', file.coding, 'vary', 'Accept-Encoding');
}

function sendSmall(ds: Downstream, s: FileResponseSettings, entry: OpenedEntry, start: number, length: number, status: number, headers: string[], stats: RouteStats): void {
  const kept = entry.kept;
  const keptBytes = kept === null ? null : kept.bytes;
  if (keptBytes !== null) {
    release(entry);
    stats.response(status);
    sendWhole(ds, s, status, headers, length === keptBytes.length ? keptBytes : keptBytes.subarray(start, start + length));
    return;
  }
  // A whole file small enough is read into its own memory and kept for the window; else pooled memory.
  const keep = kept !== null && start === 0 && length === entry.stat.size && length <= KEEP_BYTES;
  const body = keep ? Buffer.allocUnsafeSlow(length) : takeBodyBuffer(length);
  let read = 0;
  try {
    while (read < length) {
      const n = fs.readSync(entry.fd, body, read, length - read, start + read);
      if (n === 0) break;
      read += n;
    }
  } catch {
    read = -1;
  } finally {
    release(entry);
  }
  if (read !== length) {
    // Nothing went out yet: the file shrank between fstat and read, or the read failed.
    stats.response(500);
    ds.fail(500, 'FILE_READ_FAILED');
    return;
  }
  if (keep) kept.bytes = body;
  stats.response(status);
  sendWhole(ds, s, status, headers, body);
}

function sendLarge(ds: Downstream, s: FileResponseSettings, fd: number, start: number, length: number, status: number, headers: string[], stats: RouteStats): void {
  stats.response(status);
  const writer = new ClientWriter(ds, s.sendTimeout);
  const chain = responseChain(ds, writer, s.responseRules, s.compress);
  const stream = new FileStream(fd, start, length, chain, writer, ds);
  if (chain.onHeaders(status, headers, stream.resume)) stream.proceed();
}

/** A body already in memory (or none): handed to the chain whole, honouring a pause. */
class BufferedBody {
  private completed = false;
  readonly resume = (): void => this.proceed();

  constructor(
    private readonly chain: ResponseHandler,
    private body: Buffer | null,
  ) {}

  proceed(): void {
    const body = this.body;
    if (body !== null) {
      this.body = null;
      if (!this.chain.onData(body)) return;
    }
    if (this.completed) return;
    this.completed = true;
    this.chain.onComplete();
  }
}
