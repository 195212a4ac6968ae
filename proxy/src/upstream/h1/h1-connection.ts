// One keep-alive HTTP/1.1 connection to an upstream server, carrying one request at a time.
// One deadline, re-armed per phase: connect; sending (only while the upstream leaves a write
// unread: sendTimeout); waiting for the head once the request is fully written; between body
// reads; idle in the pool.
import net, { type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { takeBodyBuffer } from './body-buffers';
import { deadlineIn, deadlines, type Expirable } from './deadlines';
import { closeParser, createResponseParser, HTTP_RESPONSE, type NativeParser } from './native-parser';
import { hasContentLength, requestHead } from './request-head';
import { inspectHead, keepAliveMs, upgradeMatches } from './response-head';
import { UpstreamError, type UpstreamHandler, type UpstreamRequest } from './upstream-handler';

export interface ConnectionOwner {
  readonly host: string;
  readonly port: number;
  readonly connectTimeout: number;
  readonly keepAliveTimeout: number;
  /** The response completed and the connection can take another request. */
  release(conn: H1Connection): void;
  /** The connection is gone. */
  forget(conn: H1Connection): void;
  /** A reused connection died before the request could have been processed: try a fresh one. */
  redispatch(request: UpstreamRequest, handler: UpstreamHandler): void;
}

type Phase = 'connecting' | 'sending' | 'headers' | 'body' | 'idle' | 'closed' | 'upgraded';
const EMPTY: string[] = [];
/**
 * Upstream sockets read into this one buffer (net's `onread`), so a read allocates nothing; what
 * must outlive the read callback is copied. Reads are handled one at a time on this thread.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
/** Content-Length bodies up to this size are gathered into one Buffer and handed over whole. */
const GATHER_LIMIT = 1024 * 1024;

export class H1Connection implements Expirable {
  readonly socket: Socket;
  deadline = 0;
  /** It served a response before: a failure before any answer may just be a stale keep-alive. */
  reused = false;
  private readonly parser: NativeParser;
  private phase: Phase = 'connecting';
  private connected = false;
  private request: UpstreamRequest | null = null;
  private handler: UpstreamHandler | null = null;
  private partialHeaders: string[] | null = null;
  private informational = false;
  private keepAlive = true;
  private idleTimeout: number;
  /** The last Keep-Alive header seen, so its timeout is parsed only when it changes. */
  private lastKeepAlive = '';
  /** Bytes of a Content-Length body still to come, read past the parser (-1: the parser reads). */
  private rawRemaining = -1;
  /** A gathered Content-Length body and how much of it has arrived. */
  private rawBody: Buffer | null = null;
  private rawFilled = 0;
  private readingIntoBody = false;
  /** A byte of the answer to the current request arrived (it can no longer be replayed). */
  private answered = false;
  private bodySource: Readable | null = null;
  private chunked = false;
  /** A request write filled the socket and 'drain' has not come yet. */
  private awaitingDrain = false;
  private readonly onBodyData = (chunk: Buffer) => this.bodyData(chunk);
  private readonly onBodyEnd = () => this.bodyEnd();
  private readonly onBodyError = (err: Error) => {
    this.detachBody();
    this.abort(err);
  };
  private readonly boundAbort = (err: Error) => this.abort(err);
  private readonly boundResume = () => this.resumeReading();
  // Kept so an upgraded socket can leave with none of them.
  private readonly onSocketConnect = () => this.onConnected();
  private readonly onSocketEnd = () => this.onEnd();
  private readonly onSocketError = (err: Error) => this.fail(err, true);
  private readonly onSocketClose = () => this.onClose();
  private readonly onSocketDrain = () => this.onDrain();
  private readonly onSocketData = (data: Buffer) => this.onData(data);
  /** The 101 of an upgrade, kept from the head until the parser says where the head ended. */
  private upgradeHeaders: string[] | null = null;

  /**
   * `forUpgrade`: a connection for one upgrade request, never pooled. It reads through 'data'
   * events rather than `onread`, so that after a 101 the socket can go to its new owner as a
   * plain stream (an `onread` socket cannot be switched back).
   */
  constructor(
    private readonly owner: ConnectionOwner,
    private readonly forUpgrade = false,
  ) {
    this.idleTimeout = owner.keepAliveTimeout;
    this.parser = createResponseParser({
      onHeaders: (headers) => {
        this.partialHeaders = this.partialHeaders ? this.partialHeaders.concat(headers) : headers;
      },
      onHeadersComplete: (_maj, _min, headers, _m, _u, status, _msg, _upg, keepAlive) => this.onHead(status, headers, keepAlive),
      onBody: (chunk) => this.onBody(chunk),
      onMessageComplete: () => this.onMessageComplete(),
    });
    const socket = forUpgrade
      ? net.connect({ host: owner.host, port: owner.port, noDelay: true })
      : net.connect({
          host: owner.host,
          port: owner.port,
          noDelay: true,
          onread: { buffer: () => this.nextReadBuffer(), callback: (n: number) => this.onRead(n) },
        });
    this.socket = socket;
    this.deadline = deadlineIn(owner.connectTimeout);
    deadlines.watch(this);
    socket.on('connect', this.onSocketConnect);
    socket.on('end', this.onSocketEnd);
    socket.on('error', this.onSocketError);
    socket.on('close', this.onSocketClose);
    socket.on('drain', this.onSocketDrain);
    if (forUpgrade) socket.on('data', this.onSocketData);
  }

  get idle(): boolean {
    return this.phase === 'idle';
  }

  send(request: UpstreamRequest, handler: UpstreamHandler): void {
    this.request = request;
    this.handler = handler;
    this.informational = false;
    this.partialHeaders = null;
    this.rawRemaining = -1;
    this.rawBody = null;
    this.answered = false;
    this.awaitingDrain = false;
    if (this.connected) this.write();
    else this.phase = 'connecting';
  }

  destroy(): void {
    if (this.phase === 'upgraded') return; // the socket is its new owner's
    this.phase = 'closed';
    this.detachBody();
    this.socket.destroy();
  }

  // ---- request ----

  private onConnected(): void {
    this.connected = true;
    if (this.handler) this.write();
  }

  private write(): void {
    const request = this.request!;
    this.phase = 'sending';
    this.handler!.onConnect(this.boundAbort);
    if (this.phase !== 'sending') return; // aborted in onConnect
    const body = request.upgrade === null ? request.body : null; // an upgrade request has no body
    this.chunked = body !== null && !hasContentLength(request.headers);
    this.deadline = 0;
    const flushed = this.socket.write(requestHead(request, this.chunked), 'latin1');
    if (body === null) {
      this.bodyWritten(flushed);
      return;
    }
    if (!flushed) this.waitForDrain();
    this.bodySource = body;
    body.on('data', this.onBodyData);
    body.once('end', this.onBodyEnd);
    body.once('error', this.onBodyError);
    if (!flushed) body.pause();
  }

  /** A request body chunk: written with its framing, then paused while the socket is full. */
  private bodyData(chunk: Buffer): void {
    const socket = this.socket;
    if (!(this.chunked ? writeChunk(socket, chunk) : socket.write(chunk))) {
      this.bodySource!.pause();
      this.waitForDrain();
    }
  }

  private bodyEnd(): void {
    this.detachBody();
    this.bodyWritten(this.chunked ? this.socket.write('0\r\n\r\n', 'latin1') : !this.socket.writableNeedDrain);
  }

  /**
   * The whole request is handed to the socket. The first-byte timeout starts once the kernel took
   * it all; until then only the upstream's reading is timed.
   */
  private bodyWritten(flushed: boolean): void {
    if (this.phase !== 'sending') return; // the answer came early, or the exchange ended
    if (!flushed) return this.waitForDrain();
    this.phase = 'headers';
    this.deadline = deadlineIn(this.request!.headersTimeout);
  }

  /** The socket is full: the upstream has `sendTimeout` to read (NGINX's proxy_send_timeout). */
  private waitForDrain(): void {
    this.awaitingDrain = true;
    if (this.phase === 'sending') this.deadline = deadlineIn(this.request!.sendTimeout);
  }

  private onDrain(): void {
    if (!this.awaitingDrain) return;
    this.awaitingDrain = false;
    if (this.bodySource !== null) {
      // Waiting for the client's next chunk is not timed here: a slow client is its own timeout.
      if (this.phase === 'sending') this.deadline = 0;
      this.bodySource.resume();
    } else {
      this.bodyWritten(true);
    }
  }

  /** Stops reading the request body (it ended, failed, or the exchange is over). */
  private detachBody(): void {
    const body = this.bodySource;
    if (body === null) return;
    this.bodySource = null;
    body.off('data', this.onBodyData);
    body.off('end', this.onBodyEnd);
    body.off('error', this.onBodyError);
  }

  // ---- response ----

  /**
   * Where the next read lands: straight into the gathered body once its head is known (the kernel
   * copies into it, nothing else does), else the shared READ_BUFFER. Called after every read.
   */
  private nextReadBuffer(): Buffer {
    const body = this.rawBody;
    this.readingIntoBody = body !== null && this.rawFilled < body.length;
    return this.readingIntoBody ? body!.subarray(this.rawFilled) : READ_BUFFER;
  }

  /** Pausing goes through socket.pause(), so the read callback always asks for more. */
  private onRead(n: number): boolean {
    if (!this.readingIntoBody) {
      this.onData(READ_BUFFER.subarray(0, n));
    } else if (this.phase === 'body') {
      this.deadline = deadlineIn(this.request!.bodyTimeout);
      this.rawFilled += n;
      this.rawRemaining -= n;
      if (this.rawRemaining === 0) this.finishRawBody(false);
    }
    return true;
  }

  /** Response bytes: READ_BUFFER's (copy what must outlive the call), or a 'data' chunk (upgrade). */
  private onData(data: Buffer): void {
    this.answered = true;
    if (this.phase === 'body') this.deadline = deadlineIn(this.request!.bodyTimeout);
    if (this.rawRemaining >= 0) {
      this.onRawBody(data);
      return;
    }
    const result = this.parser.execute(data);
    // The binding returns an Error of Node's own realm: `instanceof` fails under jest's sandbox.
    if (typeof result !== 'number') {
      this.fail(new UpstreamError('UPSTREAM_PROTOCOL', `invalid response: ${result.message}`));
      return;
    }
    // The head asked for a raw body or was a 101 (onHead returned 2): the parser stopped after it.
    if (this.upgradeHeaders !== null) this.handOver(data.subarray(result));
    else if (this.rawRemaining >= 0 && result < data.length) this.onRawBody(data.subarray(result));
  }

  /**
   * A Content-Length body is read past the parser (which would copy every chunk into a new Buffer
   * and call back per chunk): up to GATHER_LIMIT it is gathered into one Buffer of the announced
   * size and handed over once, complete; a larger one streams, each read copied out of READ_BUFFER.
   */
  private onRawBody(data: Buffer): void {
    if (this.phase !== 'body') return;
    const extra = data.length > this.rawRemaining;
    const chunk = extra ? data.subarray(0, this.rawRemaining) : data;
    this.rawRemaining -= chunk.length;
    let more = true;
    if (this.rawBody !== null) {
      chunk.copy(this.rawBody, this.rawFilled);
      this.rawFilled += chunk.length;
    } else if (chunk.length > 0) {
      more = this.handler!.onData(Buffer.from(chunk));
    }
    if (this.rawRemaining === 0) this.finishRawBody(extra);
    else if (!more) this.pauseReading();
  }

  private finishRawBody(extra: boolean): void {
    this.rawRemaining = -1;
    const gathered = this.rawBody;
    this.rawBody = null;
    if (gathered !== null) this.handler!.onData(gathered);
    this.parser.initialize(HTTP_RESPONSE, {}, 0, 0);
    if (extra) this.keepAlive = false; // bytes nobody asked for: never reuse this connection
    this.onMessageComplete();
  }

  private onHead(status: number, headers: string[] | undefined, keepAlive: boolean): number {
    const handler = this.handler;
    if (handler === null || (this.phase !== 'headers' && this.phase !== 'sending')) {
      this.fail(new UpstreamError('UPSTREAM_PROTOCOL', 'response without a request'));
      return 1;
    }
    const all = headers ?? this.partialHeaders ?? EMPTY;
    this.partialHeaders = null;
    if (status === 101) {
      // RFC 9110 §15.2.2: a server switches only to a protocol the request asked for.
      const wanted = this.request!.upgrade;
      if (wanted === null || !upgradeMatches(all, wanted)) {
        this.fail(new UpstreamError('UPSTREAM_PROTOCOL', `101 Switching Protocols to ${wanted === null ? 'a request without Upgrade' : `other than ${wanted}`}`));
        return 1;
      }
      this.upgradeHeaders = all;
      return 2; // no body: llhttp stops after the head, onData hands the socket over
    }
    if (status < 200) {
      this.informational = true; // 100 Continue, 103 Early Hints: not forwarded
      return 0;
    }
    this.phase = 'body';
    this.keepAlive = keepAlive && !this.forUpgrade;
    const head = inspectHead(all);
    if (head.keepAlive !== this.lastKeepAlive) {
      this.lastKeepAlive = head.keepAlive;
      const hint = keepAliveMs(head.keepAlive);
      this.idleTimeout = hint > 0 ? Math.min(this.owner.keepAliveTimeout, Math.max(hint - 1000, 500)) : this.owner.keepAliveTimeout;
    }
    this.deadline = deadlineIn(this.request!.bodyTimeout);
    // llhttp must be told a HEAD response has no body despite its Content-Length (1); a
    // Content-Length body is read past the parser (2: llhttp stops after the head).
    const length = this.request!.method === 'HEAD' || status === 204 || status === 304 ? 0 : head.rawLength;
    if (!handler.onHeaders(status, all, this.boundResume)) this.pauseReading();
    if (length === 0) return 1;
    if (length < 0 || this.phase !== 'body') return 0;
    this.rawRemaining = length;
    if (length <= GATHER_LIMIT) {
      this.rawBody = takeBodyBuffer(length);
      this.rawFilled = 0;
    }
    return 2;
  }

  private onBody(chunk: Buffer): void {
    if (this.phase === 'body' && !this.handler!.onData(chunk)) this.pauseReading();
  }

  private onMessageComplete(): void {
    if (this.rawRemaining >= 0) return; // llhttp's end of a head whose body is read raw
    if (this.informational) {
      this.informational = false;
      return;
    }
    const handler = this.handler;
    if (handler === null || this.phase !== 'body') return;
    this.handler = null;
    this.request = null;
    this.reused = true;
    if (this.keepAlive && this.bodySource === null) {
      this.phase = 'idle';
      this.deadline = deadlineIn(this.idleTimeout);
      this.owner.release(this);
    } else {
      this.destroy();
    }
    handler.onComplete();
  }

  /** The client is slow: stop reading, and stop the read timeout (the client's own timeout runs). */
  private pauseReading(): void {
    this.deadline = 0;
    this.socket.pause();
  }

  private resumeReading(): void {
    if (this.phase !== 'body') return;
    this.deadline = deadlineIn(this.request!.bodyTimeout);
    this.socket.resume();
  }

  // ---- upgrade ----

  /**
   * The 101 the request asked for: the socket leaves this connection, the pool and the deadline
   * sweeper, with none of our listeners, flowing state reset as node:http does for its own
   * 'upgrade' (the next 'data' listener starts it). `rest`: bytes read past the head.
   */
  private handOver(rest: Buffer): void {
    const handler = this.handler!;
    const headers = this.upgradeHeaders!;
    const socket = this.socket;
    this.upgradeHeaders = null;
    this.handler = null;
    this.request = null;
    this.phase = 'upgraded';
    this.deadline = 0;
    deadlines.unwatch(this);
    socket.off('connect', this.onSocketConnect);
    socket.off('end', this.onSocketEnd);
    socket.off('error', this.onSocketError);
    socket.off('close', this.onSocketClose);
    socket.off('drain', this.onSocketDrain);
    socket.off('data', this.onSocketData);
    (socket as { readableFlowing: boolean | null }).readableFlowing = null;
    closeParser(this.parser); // execute() has returned: the parser is off the stack
    this.owner.forget(this);
    if (handler.onUpgrade === undefined) {
      socket.destroy();
      handler.onError(new UpstreamError('UPSTREAM_PROTOCOL', 'upgrade answered, but the handler takes no upgrades'));
      return;
    }
    handler.onUpgrade(101, headers, socket, rest);
  }

  // ---- failures ----

  /** The handler gave up (client gone, answer discarded): the connection cannot be reused. */
  private abort(_reason: Error): void {
    if (this.phase === 'closed' || this.phase === 'upgraded') return;
    this.handler = null;
    this.destroy();
  }

  expire(): void {
    switch (this.phase) {
      case 'connecting':
        return this.fail(new UpstreamError('UPSTREAM_CONNECT_TIMEOUT', `connect to ${this.owner.host}:${this.owner.port} timed out`));
      case 'sending':
        return this.fail(new UpstreamError('UPSTREAM_SEND_TIMEOUT', 'upstream did not read the request in time'));
      case 'headers':
        return this.fail(new UpstreamError('UPSTREAM_HEADERS_TIMEOUT', 'no response head in time'));
      case 'body':
        return this.fail(new UpstreamError('UPSTREAM_BODY_TIMEOUT', 'response body stalled'));
      default:
        this.destroy();
    }
  }

  private onEnd(): void {
    if (this.phase === 'body' && this.rawRemaining < 0) {
      // A response delimited by the connection's end completes here; any other is cut short.
      const result = this.parser.finish();
      if (typeof result === 'object' || this.handler !== null) this.fail(new UpstreamError('UPSTREAM_CLOSED', 'upstream closed the connection mid-response'));
      return;
    }
    if (this.phase === 'idle') return this.destroy();
    this.fail(new UpstreamError('UPSTREAM_CLOSED', 'upstream closed the connection before answering'), true);
  }

  /** `closed`: the connection was closed or reset (not a timeout, not a bad answer). */
  private fail(err: Error, closed = false): void {
    if (this.phase === 'closed') return;
    const handler = this.handler;
    const request = this.request;
    const replay = closed && this.reused && !this.answered && (this.phase === 'headers' || this.phase === 'sending');
    this.handler = null;
    this.destroy();
    if (handler === null || request === null) return;
    // A pooled connection the server closed while idle fails on first use: that is not the
    // server failing this request, so it goes once more on a fresh connection, if the caller
    // allows it and no byte of the body was taken (RFC 9110 §9.2.2: idempotent methods).
    if (replay && request.replayable && (request.body === null || !request.body.readableDidRead)) {
      this.owner.redispatch(request, handler);
      return;
    }
    handler.onError(err);
  }

  private onClose(): void {
    if (this.phase !== 'closed') this.fail(new UpstreamError('UPSTREAM_CLOSED', 'upstream connection closed'));
    this.phase = 'closed';
    deadlines.unwatch(this);
    closeParser(this.parser); // 'close' comes on a later tick: the parser is not on the stack
    this.owner.forget(this);
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
