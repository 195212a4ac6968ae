// A Content-Length response body read past the parser (which would copy every chunk into a new
// Buffer and call back per chunk): up to GATHER_LIMIT it is gathered into one Buffer of the
// announced size and handed over once, complete; a larger one streams, each read copied out of
// READ_BUFFER.
import { takeBodyBuffer } from './body-buffers';
import type { UpstreamHandler } from './upstream-handler';

/**
 * Upstream sockets read into this one buffer (net's `onread`), so a read allocates nothing; what
 * must outlive the read callback is copied. Reads are handled one at a time on this thread.
 */
export const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
/** Content-Length bodies up to this size are gathered into one Buffer and handed over whole. */
const GATHER_LIMIT = 1024 * 1024;

/** One per connection, reused by every response it reads. */
export class RawBody {
  /** Bytes of the body still to come (-1: no raw body, the parser reads). */
  remaining = -1;
  /** The last read buffer handed out was the gathered body's: the kernel wrote there. */
  readingIntoBody = false;
  /** The gathered body and how much of it has arrived. */
  private gathered: Buffer | null = null;
  private filled = 0;

  /** A head announced `length` bytes (more than 0): read them raw from now on. */
  start(length: number): void {
    this.remaining = length;
    if (length <= GATHER_LIMIT) {
      this.gathered = takeBodyBuffer(length);
      this.filled = 0;
    }
  }

  /** Drops any body in progress (a new request; the response ended). */
  reset(): void {
    this.remaining = -1;
    this.gathered = null;
  }

  /**
   * Where the next read lands: straight into the gathered body once its head is known (the kernel
   * copies into it, nothing else does), else the shared READ_BUFFER. Called after every read.
   */
  nextReadBuffer(): Buffer {
    const body = this.gathered;
    this.readingIntoBody = body !== null && this.filled < body.length;
    return this.readingIntoBody ? body!.subarray(this.filled) : READ_BUFFER;
  }

  /** `n` bytes landed in the gathered body; true when it is complete. */
  landed(n: number): boolean {
    this.filled += n;
    this.remaining -= n;
    return this.remaining === 0;
  }

  /**
   * Body bytes read elsewhere (READ_BUFFER, the parser's input; no more than `remaining`): copied
   * into the gathered body, or, streaming, copied out and passed on. The handler's answer: false
   * to pause.
   */
  take(chunk: Buffer, handler: UpstreamHandler): boolean {
    this.remaining -= chunk.length;
    if (this.gathered !== null) {
      chunk.copy(this.gathered, this.filled);
      this.filled += chunk.length;
      return true;
    }
    return chunk.length > 0 ? handler.onData(Buffer.from(chunk)) : true;
  }

  /** The body is complete: the gathered Buffer to hand over (null when it streamed). */
  finish(): Buffer | null {
    const gathered = this.gathered;
    this.reset();
    return gathered;
  }
}
