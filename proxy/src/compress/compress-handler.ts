// On-the-fly compression as a link of the response chain (NGINX `gzip on`, plus brotli). Only
// routes with `compress` get one. A body of known length up to WHOLE_BODY_LIMIT (a small file, a
// proxied answer the upstream client hands over whole) is compressed in one synchronous call once
// it has all arrived, with the same head as a streamed one. A longer or open-ended body streams
// through a zlib stream with backpressure both
// ways: the upstream is paused while zlib's input is full, zlib is paused while the client is slow,
// and what was compressed is flushed once the upstream goes quiet, so a slow stream (server-sent
// events) still arrives. A zlib failure cuts the response; a client that leaves frees the stream.
import type { ResolvedCompress } from '../config/resolved';
import type { Downstream, DownstreamCloseListener } from '../downstream/downstream';
import type { ClientGoneListener, ClientWriter } from '../forward/client-writer';
import { ProxyError } from '../forward/proxy-errors';
import { ResponseHandlerWrapper, type ResponseHandler } from '../forward/response-handler';
import { adoptBodyBuffer, recycleBodyBuffer } from '../upstream/h1/body-buffers';
import { negotiateEncoding, type Encoding } from './accept-encoding';
import { compressedHead, compressibleLength } from './compress-head';
import { compressesWhole, compressWhole, createEncoder, flushEncoder, type Encoder } from './encoder';

export class CompressHandler extends ResponseHandlerWrapper implements ClientGoneListener, DownstreamCloseListener {
  private encoder: Encoder | null = null;
  private encoding: Encoding = 'gzip';
  /** The upstream's resume while it may be paused (null once its body is complete). */
  private resumeUpstream: (() => void) | null = null;
  /** onData answered false: the upstream waits for zlib's 'drain'. */
  private inputBlocked = false;
  private flushScheduled = false;
  /** The chain below was told the response ended (complete or failed): nothing more goes down. */
  private finished = false;
  /** Compressing the body whole: the bytes still expected (-1: streaming, or not compressing). */
  private wholeExpected = -1;
  /** The pieces of a whole body that came in more than one chunk (adopted); null: none yet. */
  private pieces: Buffer[] | null = null;
  /** The whole body was compressed and went down. */
  private wholeSent = false;

  constructor(
    next: ResponseHandler,
    private readonly config: ResolvedCompress,
    private readonly request: Downstream,
    /** Told to hold a whole compressed body for one write with the head (null: no such writer). */
    private readonly writer: ClientWriter | null = null,
  ) {
    super(next);
  }

  onHeaders(status: number, headers: string[], resume: () => void): boolean {
    const length = compressibleLength(status, headers, this.config);
    if (length === null) return this.next.onHeaders(status, headers, resume);
    const encoding = negotiateEncoding(this.request.headers['accept-encoding'], this.config.encodings);
    const head = compressedHead(headers, encoding);
    // HEAD gets the head a GET would get, and no encoder: there is no body to compress.
    if (encoding === null || this.request.method === 'HEAD') return this.next.onHeaders(status, head, resume);
    this.encoding = encoding;
    if (compressesWhole(encoding, this.config, length)) {
      this.wholeExpected = length;
      return this.next.onHeaders(status, head, resume);
    }
    this.resumeUpstream = resume;
    this.encoder = this.openEncoder(encoding, length);
    // The client's backpressure reaches the upstream through zlib's: the upstream goes on.
    if (!this.next.onHeaders(status, head, () => this.clientDrained())) this.encoder.pause();
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.wholeExpected >= 0) return this.wholeData(chunk);
    const encoder = this.encoder;
    if (encoder === null) return this.finished ? false : this.next.onData(chunk);
    adoptBodyBuffer(chunk); // zlib reads it after onData returns
    const room = encoder.write(chunk);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(flushQuiet, this);
    }
    if (!room) this.inputBlocked = true;
    return room;
  }

  onComplete(): void {
    this.resumeUpstream = null; // its connection may carry the next request now
    if (this.wholeExpected >= 0) {
      // A body shorter than its length (the upstream client reports a cut as an error instead): what came.
      if (!this.wholeSent && !this.finished) this.sendWhole(this.takePieces());
      if (!this.finished) {
        this.finished = true;
        this.next.onComplete();
      }
      return;
    }
    const encoder = this.encoder;
    if (encoder === null) {
      if (!this.finished) this.next.onComplete();
      return;
    }
    encoder.end(); // 'end' completes the response once the last bytes went down
  }

  onError(error: ProxyError): void {
    this.resumeUpstream = null;
    this.pieces = null;
    this.closeEncoder();
    if (this.finished) return;
    this.finished = true;
    this.next.onError(error);
  }

  clientGone(): void {
    this.resumeUpstream = null;
    this.finished = true;
    this.pieces = null;
    this.closeEncoder();
  }

  downstreamClosed(): void {
    this.clientGone();
  }

  // ---- a body compressed whole ----

  private wholeData(chunk: Buffer): boolean {
    if (this.finished || this.wholeSent) return false;
    const pieces = this.pieces;
    // The common case, the body in one chunk: compressed before onData returns, and its memory
    // given back at once (nothing below sees it).
    if (pieces === null && chunk.length >= this.wholeExpected) {
      const room = this.sendWhole(chunk);
      recycleBodyBuffer(chunk);
      return room;
    }
    adoptBodyBuffer(chunk); // kept past onData
    if (pieces === null) this.pieces = [chunk];
    else pieces.push(chunk);
    this.wholeExpected -= chunk.length;
    return this.wholeExpected > 0 ? true : this.sendWhole(this.takePieces());
  }

  private takePieces(): Buffer {
    const pieces = this.pieces ?? [];
    this.pieces = null;
    return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces);
  }

  /** Compresses `body` in one call and hands it down to be written whole with end(). */
  private sendWhole(body: Buffer): boolean {
    this.wholeSent = true;
    let out: Buffer;
    try {
      out = compressWhole(this.encoding, this.config, body);
    } catch (err) {
      this.finished = true;
      this.next.onError(new ProxyError('UPSTREAM_BAD_RESPONSE', `compression failed: ${(err as Error).message}`));
      return false;
    }
    this.writer?.holdWhole();
    return this.next.onData(out);
  }

  // ---- the encoder's side ----

  /** Called between event loop turns after data came in: whatever zlib holds goes out now. */
  flushIfQuiet(): void {
    this.flushScheduled = false;
    const encoder = this.encoder;
    if (encoder !== null && !encoder.writableEnded) flushEncoder(encoder, this.encoding);
  }

  private openEncoder(encoding: Encoding, length: number): Encoder {
    const encoder = createEncoder(encoding, this.config, length);
    encoder.on('data', (out: Buffer) => this.compressed(out));
    encoder.on('drain', () => this.inputDrained());
    encoder.on('end', () => this.encoderEnded());
    encoder.on('error', (err: Error) => this.encoderFailed(err));
    return encoder;
  }

  private compressed(out: Buffer): void {
    if (this.finished) return;
    if (!this.next.onData(out)) this.encoder?.pause();
  }

  private clientDrained(): void {
    this.encoder?.resume();
  }

  private inputDrained(): void {
    if (!this.inputBlocked) return;
    this.inputBlocked = false;
    this.resumeUpstream?.();
  }

  private encoderEnded(): void {
    this.encoder = null;
    if (this.finished) return;
    this.finished = true;
    this.next.onComplete();
  }

  private encoderFailed(err: Error): void {
    this.closeEncoder();
    if (this.finished) return;
    this.finished = true;
    // The head is out: the client sees a cut, never a complete-looking body. Cutting the client
    // also ends the upstream exchange (the dispatch hears the client close).
    this.next.onError(new ProxyError('UPSTREAM_BAD_RESPONSE', `compression failed: ${err.message}`));
  }

  private closeEncoder(): void {
    const encoder = this.encoder;
    if (encoder === null) return;
    this.encoder = null;
    encoder.destroy();
  }
}

function flushQuiet(handler: CompressHandler): void {
  handler.flushIfQuiet();
}

/**
 * The compression link for a route with `compress`. It hears that the client left from `writer`,
 * told by whoever feeds the chain (the dispatch, a file stream), which takes the downstream's one
 * close listener over from the link; a body sent whole (a small file) has no feeder left to tell,
 * so the link listens to the downstream itself until then.
 */
export function compressLink(config: ResolvedCompress, next: ResponseHandler, request: Downstream, writer: ClientWriter): CompressHandler {
  const link = new CompressHandler(next, config, request, writer);
  writer.watchClientGone(link);
  request.onClose(link);
  return link;
}
