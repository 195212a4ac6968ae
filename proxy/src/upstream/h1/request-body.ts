// Writes one request on an upstream connection: the head in one write, then the body streamed with
// backpressure (chunked framing unless the head has a Content-Length). While the upstream leaves
// a write unread, the connection's deadline is its send timeout: the 'sending' phase.
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { deadlineIn } from './deadlines';
import { hasContentLength, requestHead } from './request-head';
import type { UpstreamRequest } from './upstream-handler';

/** What the sender reads and moves on its connection. */
export interface SendingConnection {
  /** The connection's one deadline (see deadlines.ts). */
  deadline: number;
  /** Still in the 'sending' phase: no answer came early, the exchange did not end. */
  readonly sending: boolean;
  /** The kernel took the whole request: the wait for the response head starts. */
  requestSent(): void;
  /** The request body failed: the exchange cannot go on. */
  abort(err: Error): void;
}

/** One per connection (its listeners are bound once), reused by every request it sends. */
export class RequestSender {
  /** The request body being written, or null. */
  private body: Readable | null = null;
  private chunked = false;
  private sendTimeout = 0;
  /** A request write filled the socket and 'drain' has not come yet. */
  private awaitingDrain = false;
  private readonly onBodyData = (chunk: Buffer) => this.bodyData(chunk);
  private readonly onBodyEnd = () => this.bodyEnd();
  private readonly onBodyError = (err: Error) => {
    this.detach();
    this.conn.abort(err);
  };

  constructor(
    private readonly conn: SendingConnection,
    private readonly socket: Socket,
  ) {}

  /** A body is still being read from the client (the connection cannot be reused yet). */
  get busy(): boolean {
    return this.body !== null;
  }

  /** A new request on this connection: a 'drain' owed to the previous one is not ours. */
  reset(): void {
    this.awaitingDrain = false;
  }

  /** Writes the head, then streams the body. The connection is in its 'sending' phase. */
  send(request: UpstreamRequest): void {
    const body = request.upgrade === null ? request.body : null; // an upgrade request has no body
    this.chunked = body !== null && !hasContentLength(request.headers);
    this.sendTimeout = request.sendTimeout;
    this.conn.deadline = 0;
    const flushed = this.socket.write(requestHead(request, this.chunked), 'latin1');
    if (body === null) {
      this.bodyWritten(flushed);
      return;
    }
    if (!flushed) this.waitForDrain();
    this.body = body;
    body.on('data', this.onBodyData);
    body.once('end', this.onBodyEnd);
    body.once('error', this.onBodyError);
    if (!flushed) body.pause();
  }

  /** The socket's 'drain'. */
  drained(): void {
    if (!this.awaitingDrain) return;
    this.awaitingDrain = false;
    if (this.body !== null) {
      // Waiting for the client's next chunk is not timed here: a slow client is its own timeout.
      if (this.conn.sending) this.conn.deadline = 0;
      this.body.resume();
    } else {
      this.bodyWritten(true);
    }
  }

  /** Stops reading the request body (it ended, failed, or the exchange is over). */
  detach(): void {
    const body = this.body;
    if (body === null) return;
    this.body = null;
    body.off('data', this.onBodyData);
    body.off('end', this.onBodyEnd);
    body.off('error', this.onBodyError);
  }

  /** A request body chunk: written with its framing, then paused while the socket is full. */
  private bodyData(chunk: Buffer): void {
    const socket = this.socket;
    if (!(this.chunked ? writeChunk(socket, chunk) : socket.write(chunk))) {
      this.body!.pause();
      this.waitForDrain();
    }
  }

  private bodyEnd(): void {
    this.detach();
    this.bodyWritten(this.chunked ? this.socket.write('0\r\n\r\n', 'latin1') : !this.socket.writableNeedDrain);
  }

  /**
   * The whole request is handed to the socket. The first-byte timeout starts once the kernel took
   * it all; until then only the upstream's reading is timed.
   */
  private bodyWritten(flushed: boolean): void {
    if (!this.conn.sending) return; // the answer came early, or the exchange ended
    if (!flushed) return this.waitForDrain();
    this.conn.requestSent();
  }

  /** The socket is full: the upstream has `sendTimeout` to read (NGINX's proxy_send_timeout). */
  private waitForDrain(): void {
    this.awaitingDrain = true;
    if (this.conn.sending) this.conn.deadline = deadlineIn(this.sendTimeout);
  }
}

/**
 * One chunk of a chunked body (RFC 9112 §7.1): size line, data and CRLF always go out together (a
 * full socket buffer only means "pause after this one"), in one writev. An empty chunk would end
 * the body early, so none is written.
 */
function writeChunk(socket: Socket, chunk: Buffer): boolean {
  if (chunk.length === 0) return true;
  socket.cork();
  socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
  socket.write(chunk);
  const ok = socket.write('\r\n', 'latin1');
  socket.uncork();
  return ok;
}
