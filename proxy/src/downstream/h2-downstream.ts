// The Downstream of an HTTP/2 request, on node:http2's stream API (no compatibility objects: the
// stream API measured 0.60x nginx, the compatibility API 0.50x). Event listeners are module-level
// functions that find the downstream through a symbol on the stream: no closure per request. A
// stream's failure is its own: an abort or reset is an RST_STREAM, never the session's end.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { constants, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import type { Tunnel } from '../server/tunnels';
import { errorPage } from '../forward/error-page';
import { recycleBodyBuffer } from '../upstream/h1/body-buffers';
import type { Downstream, DownstreamCloseListener, DownstreamDrainListener } from './downstream';
import { H2_FORBIDDEN_RESPONSE, H2_SINGLE_VALUE, type H2RequestHead } from './h2-request';

const { NGHTTP2_INTERNAL_ERROR, NGHTTP2_CANCEL } = constants;

/**
 * A whole answer larger than this, under a send timeout, goes to the stream a piece at a time:
 * node:http2 completes a write only when all of it is out, so one big write would hide a slow
 * client's progress from the timer until the end. A client must take this much per timeout
 * (a KiB a second at the default 60 s); answers up to it (the 64 KiB benchmark) go in one write.
 */
const PIECE = 64 * 1024;

export const kH2Downstream = Symbol('portico.h2Downstream');
export type H2Carrier = ServerHttp2Stream & { [kH2Downstream]?: H2Downstream };

export class H2Downstream implements Downstream {
  readonly scheme = 'https';
  remoteAddr: string;
  headersSent = false;
  /** The proxy reset the stream itself (not counted against the client as a reset). */
  resetByProxy = false;
  /** The whole answer was handed to the stream. */
  responseEnded = false;
  readonly method: string;
  readonly url: string;
  readonly host: string;
  readonly rawHeaders: string[];
  private body: PassThrough | null = null;
  private closeListener: DownstreamCloseListener | null = null;
  private drainListener: DownstreamDrainListener | null = null;
  /** The stream's 'timeout' listener (the body timeout) is bound. */
  private timed = false;
  /** Runs from end() until the answer is all sent (send_timeout). */
  private sendTimer: NodeJS.Timeout | null = null;
  /** Bytes of the answer not yet taken by the client when the send timer was last checked. */
  private unsent = 0;
  /** Under a send timeout, the pieces of a whole answer written between cork() and end(). */
  private parked: Buffer[] | null = null;
  /** The answer's bytes not yet handed to the stream (written a piece at a time, on 'drain'). */
  private pending: Buffer[] | null = null;
  private pendingBytes = 0;
  /** A pooled body handed to the stream whole, given back on 'finish'. */
  private flushed: Buffer | null = null;

  constructor(
    readonly stream: ServerHttp2Stream,
    head: H2RequestHead,
    readonly headers: IncomingHttpHeaders,
    readonly peer: string,
    /** The HEADERS frame ended the stream: no body. */
    private readonly endStream: boolean,
    private readonly hsts: string | null,
    /** NGINX send_timeout for an answer written whole; 0: none. */
    private readonly sendTimeout: number,
  ) {
    this.method = head.method;
    this.url = head.url;
    this.host = head.host;
    this.rawHeaders = head.raw;
    this.remoteAddr = peer;
    (stream as H2Carrier)[kH2Downstream] = this;
  }

  // ---- the request ----

  openBody(): Readable {
    if (this.body === null) {
      this.body = new PassThrough();
      // pipe() pauses the stream when the upstream is slow: node then stops sending WINDOW_UPDATE,
      // which is HTTP/2 flow control reaching the client.
      this.stream.pipe(this.body);
    }
    return this.body;
  }

  get bodyComplete(): boolean {
    return this.endStream || this.stream.readableEnded;
  }

  discardBody(): void {
    const body = this.body;
    if (body !== null) {
      this.stream.unpipe(body);
      body.destroy();
    }
    if (!this.bodyComplete) this.stream.resume();
  }

  // ---- the response ----

  writeHead(status: number, headers: string[]): void {
    this.stream.respond(this.responseHeaders(status, headers));
    this.headersSent = true;
  }

  write(chunk: Buffer): boolean {
    if (this.parked !== null) {
      this.parked.push(chunk);
      return true;
    }
    const stream = this.stream;
    if (stream.writableEnded || stream.destroyed) return true;
    return stream.write(chunk);
  }

  cork(): void {
    // Under a send timeout, end() must see the whole answer to write it in pieces: keep it here.
    if (this.sendTimeout > 0) this.parked ??= [];
    else if (this.stream.writableCorked === 0) this.stream.cork();
  }

  /**
   * Ends the answer. Pooled memory in `last` (when `recycle`) goes back to the pool on 'finish'
   * when it went to the stream in one write: node:http2 calls a stream write's callback only once
   * the session's socket write holding those bytes completed (after TLS took them), and 'finish'
   * comes after every write's callback (h2-body-memory.test.ts reuses it under slow readers and
   * fails if it is given back any earlier). Written a piece at a time, it is left to the collector.
   * Before, every held h2 answer over 4 KiB took fresh memory.
   */
  end(last: Buffer | null, recycle = false): void {
    const stream = this.stream;
    this.responseEnded = true;
    const parked = this.parked;
    this.parked = null;
    if (stream.writableEnded || stream.destroyed) return; // 204, 304 and HEAD answers end with their head
    if (parked !== null) {
      if (last !== null) parked.push(last);
      if (recycle && parked.length === 1 && last !== null && last.length <= PIECE) this.recycleOnFinish(last);
      this.endWith(parked);
    } else if (last !== null && last.length > PIECE && this.sendTimeout > 0) {
      this.endWith([last]);
    } else if (last === null) {
      stream.end();
    } else {
      if (recycle) this.recycleOnFinish(last);
      stream.end(last);
    }
    if (this.sendTimeout > 0) this.timeSend();
  }

  private recycleOnFinish(body: Buffer): void {
    this.flushed = body;
    this.stream.once('finish', onFlushed);
  }

  bodyFlushed(): void {
    const body = this.flushed;
    this.flushed = null;
    if (body !== null) recycleBodyBuffer(body);
  }

  /** Ends the answer with `pieces`: in one write when small, else a piece at a time. */
  private endWith(pieces: Buffer[]): void {
    const stream = this.stream;
    let bytes = 0;
    for (const piece of pieces) bytes += piece.length;
    if (bytes > PIECE) {
      this.pending = pieces;
      this.pendingBytes = bytes;
      this.pump();
      return;
    }
    stream.cork();
    for (let i = 0; i < pieces.length - 1; i++) stream.write(pieces[i]);
    if (pieces.length === 0) stream.end();
    else stream.end(pieces[pieces.length - 1]);
  }

  /** NGINX send_timeout for the answer handed over by end(). */
  private timeSend(): void {
    const stream = this.stream;
    // What is written whole waits on the client's window: one that never opens it would pin the
    // answer's memory and the session (whose close waits for its streams) for ever. node's own
    // stream timer is no use here: any frame on the session (a PING) defers it while data is queued.
    if (!stream.writableFinished) {
      this.unsent = this.unsentBytes();
      this.sendTimer = setTimeout(onSendTimeout, this.sendTimeout, this);
    }
  }

  /** Hands the stream pieces of the pending answer until it is full, then waits for its 'drain'. */
  pump(): void {
    const stream = this.stream;
    const pending = this.pending;
    if (pending === null || stream.destroyed) return;
    for (;;) {
      const head = pending[0];
      const piece = head.length > PIECE ? head.subarray(0, PIECE) : head;
      if (piece === head) pending.shift();
      else pending[0] = head.subarray(PIECE);
      this.pendingBytes -= piece.length;
      if (pending.length === 0) {
        this.pending = null;
        stream.end(piece);
        return;
      }
      if (!stream.write(piece)) {
        stream.once('drain', onPumpDrain);
        return;
      }
    }
  }

  /** Bytes of the answer the client has not taken yet: queued in the stream or still pending. */
  private unsentBytes(): number {
    return this.stream.writableLength + this.pendingBytes;
  }

  /** NGINX client_body_timeout: this long without a byte of a body still due resets the stream. */
  timeBody(ms: number): void {
    if (ms <= 0 || this.endStream) return;
    const stream = this.stream;
    if (!this.timed) {
      this.timed = true;
      stream.on('timeout', onBodyTimeout); // node's stream timer: refreshed by each DATA frame read
    }
    stream.setTimeout(ms);
  }

  bodyTimedOut(): void {
    const stream = this.stream;
    if (stream.destroyed) return;
    // The body is all in: waiting for the upstream is the upstream's timeouts' business.
    if (stream.state.remoteClose === 1) stream.setTimeout(0);
    else this.reset();
  }

  sendTimedOut(): void {
    const stream = this.stream;
    if (stream.destroyed || stream.writableFinished) return;
    const unsent = this.unsentBytes();
    if (unsent < this.unsent) {
      // Some of it went: send_timeout is between two writes, not for the whole answer.
      this.unsent = unsent;
      this.sendTimer!.refresh();
      return;
    }
    this.sendTimer = null;
    this.reset();
  }

  awaitDrain(listener: DownstreamDrainListener): void {
    this.drainListener = listener;
    this.stream.once('drain', onDrain);
  }

  fail(status: number, code: string): void {
    if (this.body !== null) this.discardBody();
    const stream = this.stream;
    if (stream.destroyed) return;
    if (this.headersSent) {
      this.abort();
      return;
    }
    const page = errorPage(status, code, this.headers.accept);
    try {
      stream.respond({
        ':status': status,
        'content-type': page.contentType,
        'content-length': Buffer.byteLength(page.body),
        'cache-control': 'no-store',
      });
    } catch {
      this.abort();
      return;
    }
    this.headersSent = true;
    this.end(this.method === 'HEAD' ? null : Buffer.from(page.body));
  }

  abort(): void {
    this.resetByProxy = true;
    if (!this.stream.destroyed) this.stream.close(NGHTTP2_INTERNAL_ERROR);
  }

  reset(): void {
    this.resetByProxy = true;
    if (!this.stream.destroyed) this.stream.close(NGHTTP2_CANCEL);
  }

  onClose(listener: DownstreamCloseListener): void {
    this.closeListener = listener; // the stream's one 'close' listener is bound by h2-streams.ts
  }

  upgrade(_status: number, _headers: string[], _upstream: Socket, _head: Buffer): Tunnel | null {
    return null;
  }

  // ---- events ----

  closed(): void {
    if (this.sendTimer !== null) {
      clearTimeout(this.sendTimer);
      this.sendTimer = null;
    }
    this.pending = null;
    this.parked = null;
    this.flushed = null; // reset before 'finish': node may still hold it, so it is not reused
    this.body?.destroy();
    this.closeListener?.downstreamClosed();
  }

  drained(): void {
    const listener = this.drainListener;
    this.drainListener = null;
    listener?.downstreamDrained();
  }

  /** The upstream's head as an HTTP/2 header object: lowercase names, repeated fields as arrays. */
  protected responseHeaders(status: number, headers: string[]): OutgoingHttpHeaders {
    const out: OutgoingHttpHeaders = { ':status': status };
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i].toLowerCase();
      if (H2_FORBIDDEN_RESPONSE.has(name)) continue;
      const value = headers[i + 1];
      const seen = out[name];
      if (seen === undefined) out[name] = value;
      else if (H2_SINGLE_VALUE.has(name)) continue; // the first value, as NGINX keeps it
      else if (Array.isArray(seen)) seen.push(value);
      else out[name] = [seen as string, value];
    }
    if (this.hsts !== null && out['strict-transport-security'] === undefined) out['strict-transport-security'] = this.hsts;
    return out;
  }
}

function onBodyTimeout(this: H2Carrier): void {
  this[kH2Downstream]?.bodyTimedOut();
}

function onSendTimeout(ds: H2Downstream): void {
  ds.sendTimedOut();
}

function onFlushed(this: H2Carrier): void {
  this[kH2Downstream]?.bodyFlushed();
}

function onPumpDrain(this: H2Carrier): void {
  this[kH2Downstream]?.pump();
}

function onDrain(this: H2Carrier): void {
  this[kH2Downstream]?.drained();
}
