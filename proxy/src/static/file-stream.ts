// A large file (or range) fed into the response chain chunk by chunk with backpressure: one read
// in flight at most, the next only when the chain took the last one, so memory stays at a chunk or
// two whatever the file's size. Chunks are pooled memory (body-buffers.ts): one that made the chain
// pause is flushed once the chain resumes (the client writer resumes on 'drain', when the socket
// buffer is empty) and its memory is reused for a later chunk, unless a link adopted it (measured:
// half the RSS growth of a fresh buffer per chunk). A file that shrinks, a read error or a client that leaves ends the
// transfer: the client sees a cut (never a complete-looking short body) and the descriptor closes.
import fs from 'node:fs';
import type { Downstream, DownstreamCloseListener } from '../downstream/downstream';
import type { ClientWriter } from '../forward/client-writer';
import { ProxyError } from '../forward/proxy-errors';
import type { ResponseHandler } from '../forward/response-handler';
import { recycleBodyBuffer, takeBodyBuffer } from '../upstream/h1/body-buffers';

/** Bytes per read: as fs.createReadStream's default. */
export const STREAM_CHUNK = 64 * 1024;

export class FileStream implements DownstreamCloseListener {
  private position: number;
  private remaining: number;
  private reading = false;
  private done = false;
  private fdOpen = true;
  /** The chunk that made the chain pause: flushed once it resumes. */
  private pausedOn: Buffer | null = null;
  private readonly afterRead = (err: NodeJS.ErrnoException | null, n: number, chunk: Buffer): void => this.onRead(err, n, chunk);
  /** Given to the chain with the head: a drained client asks for the next chunk. */
  readonly resume = (): void => {
    const flushed = this.pausedOn;
    this.pausedOn = null;
    if (flushed !== null && !this.done) recycleBodyBuffer(flushed);
    this.proceed();
  };

  constructor(
    private readonly fd: number,
    start: number,
    length: number,
    private readonly chain: ResponseHandler,
    private readonly writer: ClientWriter,
    ds: Downstream,
  ) {
    this.position = start;
    this.remaining = length;
    ds.onClose(this);
  }

  /** The next read, or the end once every byte went into the chain. */
  proceed(): void {
    if (this.reading || this.done) return;
    if (this.remaining === 0) {
      this.done = true;
      this.chain.onComplete();
      return;
    }
    this.reading = true;
    const size = Math.min(STREAM_CHUNK, this.remaining);
    fs.read(this.fd, takeBodyBuffer(size), 0, size, this.position, this.afterRead);
  }

  downstreamClosed(): void {
    this.writer.clientGone();
    if (this.done) return;
    this.done = true;
    if (!this.reading) this.closeFd();
  }

  private onRead(err: NodeJS.ErrnoException | null, n: number, chunk: Buffer): void {
    this.reading = false;
    if (this.done) {
      this.closeFd();
      return;
    }
    if (err !== null || n === 0) {
      // n === 0: the file shrank under us; Content-Length promised more, so cut rather than end.
      this.finish();
      this.chain.onError(new ProxyError('FILE_READ_FAILED', err ? `file read failed: ${err.code ?? err.message}` : 'file shrank while sent'));
      return;
    }
    this.position += n;
    this.remaining -= n;
    if (this.remaining === 0) this.closeFd();
    const data = n === chunk.length ? chunk : chunk.subarray(0, n);
    if (this.chain.onData(data)) this.proceed();
    else this.pausedOn = data;
  }

  private finish(): void {
    this.done = true;
    this.closeFd();
  }

  private closeFd(): void {
    if (!this.fdOpen) return;
    this.fdOpen = false;
    fs.close(this.fd, ignore);
  }
}

function ignore(): void {
  // a close error leaves nothing to do
}
