// One keep-alive HTTP/1.1 connection to an upstream server, carrying one request at a time.
// One deadline, re-armed per phase: connect; sending (only while the upstream leaves a write
// unread: sendTimeout, see request-body.ts); waiting for the head once the request is fully
// written; between body reads; idle in the pool.
import net, { type Socket } from 'node:net';
import { deadlineIn, deadlines, type Expirable } from './deadlines';
import { closeParser, createResponseParser, HTTP_RESPONSE, type NativeParser } from './native-parser';
import { RawBody, READ_BUFFER } from './raw-body';
import { RequestSender, type SendingConnection } from './request-body';
import { inspectHead, keepAliveMs } from './response-head';
import { handOver, refusedSwitch } from './upgrade';
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

export class H1Connection implements Expirable, SendingConnection {
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
  /** A Content-Length body read past the parser. */
  private readonly raw = new RawBody();
  private readonly sender: RequestSender;
  /** A byte of the answer to the current request arrived (it can no longer be replayed). */
  private answered = false;
  /** The handler asked to pause reading and has not resumed it yet. */
  private readingPaused = false;
  private readonly boundAbort = (err: Error) => this.abort(err);
  private readonly boundResume = () => this.resumeReading();
  // Kept so an upgraded socket can leave with none of them.
  private readonly onSocketConnect = () => this.onConnected();
  private readonly onSocketEnd = () => this.onEnd();
  private readonly onSocketError = (err: Error) => this.fail(err, true);
  private readonly onSocketClose = () => this.onClose();
  private readonly onSocketDrain = () => this.sender.drained();
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
          onread: { buffer: () => this.raw.nextReadBuffer(), callback: (n: number) => this.onRead(n) },
        });
    this.socket = socket;
    this.sender = new RequestSender(this, socket);
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
    this.raw.reset();
    this.answered = false;
    this.sender.reset();
    if (this.connected) this.write();
    else this.phase = 'connecting';
  }

  destroy(): void {
    if (this.phase === 'upgraded') return; // the socket is its new owner's
    this.phase = 'closed';
    this.sender.detach();
    this.socket.destroy();
  }

  // ---- request ----

  private onConnected(): void {
    this.connected = true;
    if (this.handler) this.write();
  }

  private write(): void {
    this.phase = 'sending';
    this.handler!.onConnect(this.boundAbort);
    if (this.phase !== 'sending') return; // aborted in onConnect
    this.sender.send(this.request!);
  }

  get sending(): boolean {
    return this.phase === 'sending';
  }

  requestSent(): void {
    this.phase = 'headers';
    this.deadline = deadlineIn(this.request!.headersTimeout);
  }

  // ---- response ----

  /** Pausing goes through socket.pause(), so the read callback always asks for more. */
  private onRead(n: number): boolean {
    if (!this.raw.readingIntoBody) {
      this.onData(READ_BUFFER.subarray(0, n));
    } else if (this.phase === 'body') {
      this.deadline = deadlineIn(this.request!.bodyTimeout);
      if (this.raw.landed(n)) this.finishRawBody(false);
    }
    return true;
  }

  /** Response bytes: READ_BUFFER's (copy what must outlive the call), or a 'data' chunk (upgrade). */
  private onData(data: Buffer): void {
    this.answered = true;
    if (this.phase === 'body') this.deadline = deadlineIn(this.request!.bodyTimeout);
    if (this.raw.remaining >= 0) {
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
    if (this.upgradeHeaders !== null) this.upgraded(data.subarray(result));
    else if (this.raw.remaining >= 0 && result < data.length) this.onRawBody(data.subarray(result));
  }

  /** Bytes of a Content-Length body (see raw-body.ts) that came through READ_BUFFER or 'data'. */
  private onRawBody(data: Buffer): void {
    if (this.phase !== 'body') return;
    const raw = this.raw;
    const extra = data.length > raw.remaining;
    const more = raw.take(extra ? data.subarray(0, raw.remaining) : data, this.handler!);
    if (raw.remaining === 0) this.finishRawBody(extra);
    else if (!more) this.pauseReading();
  }

  private finishRawBody(extra: boolean): void {
    const gathered = this.raw.finish();
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
      const refused = refusedSwitch(this.request!.upgrade, all);
      if (refused !== null) {
        this.fail(refused);
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
    this.raw.start(length);
    return 2;
  }

  private onBody(chunk: Buffer): void {
    if (this.phase === 'body' && !this.handler!.onData(chunk)) this.pauseReading();
  }

  private onMessageComplete(): void {
    if (this.raw.remaining >= 0) return; // llhttp's end of a head whose body is read raw
    if (this.informational) {
      this.informational = false;
      return;
    }
    const handler = this.handler;
    if (handler === null || this.phase !== 'body') return;
    this.handler = null;
    this.request = null;
    this.reused = true;
    if (this.keepAlive && !this.sender.busy) {
      // Paused on the response's last bytes: the handler's resume will find the connection idle
      // and do nothing, and a paused socket in the pool would never read the next answer.
      if (this.readingPaused) this.resumeSocket();
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
    this.readingPaused = true;
    this.socket.pause();
  }

  private resumeReading(): void {
    if (this.phase !== 'body') return;
    this.deadline = deadlineIn(this.request!.bodyTimeout);
    this.resumeSocket();
  }

  private resumeSocket(): void {
    this.readingPaused = false;
    this.socket.resume();
  }

  // ---- upgrade ----

  /**
   * The 101 the request asked for: the socket leaves this connection, the pool and the deadline
   * sweeper, with none of our listeners. `rest`: bytes read past the head.
   */
  private upgraded(rest: Buffer): void {
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
    closeParser(this.parser); // execute() has returned: the parser is off the stack
    this.owner.forget(this);
    handOver(socket, handler, headers, rest);
  }

  // ---- failures ----

  /** The handler gave up (client gone, answer discarded): the connection cannot be reused. */
  abort(_reason: Error): void {
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
    if (this.phase === 'body' && this.raw.remaining < 0) {
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
