// The fallback upstream client: undici's public Pool.dispatch, for a Node whose internal parser
// binding (h1/native-parser.ts, DEP0199) is gone or changed. Slower than the native client (undici
// parses with llhttp in WebAssembly), same contract (h1/upstream-handler.ts).
//
// Handler API: undici 7's documented one (onRequestStart, onResponseStart, onResponseData,
// onResponseEnd, onResponseError, onRequestUpgrade, with a controller to pause, resume and abort);
// the older onConnect/onHeaders/... shape is marked deprecated in its types.
import type { IncomingHttpHeaders } from 'node:http';
import { isIPv6, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { Client, Pool, type Dispatcher } from 'undici';
import { deadlineIn, deadlines, type Expirable } from './h1/deadlines';
import type { H1PoolOptions } from './h1/h1-pool';
import { UpstreamError, type UpstreamClient, type UpstreamHandler, type UpstreamRequest } from './h1/upstream-handler';

export interface UndiciClientOptions extends H1PoolOptions {
  /**
   * Idle connections kept. undici has no separate bound on idle connections (only on all of them,
   * which would queue requests): accepted for the native client's options, not applied.
   */
  maxIdle?: number;
}

/** undici subtracts this from a server's Keep-Alive hint, as the native client's 1 s margin. */
const KEEP_ALIVE_MARGIN = 1000;
const NO_HEAD = Buffer.alloc(0);

export class UndiciClient implements UpstreamClient {
  readonly pool: Pool;
  private closed = false;

  private readonly origin: string;

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly options: UndiciClientOptions,
  ) {
    this.origin = `http://${isIPv6(host) ? `[${host}]` : host}:${port}`;
    this.pool = new Pool(this.origin, {
      connections: null, // requests never queue here: concurrency is the balancer's (maxConns)
      pipelining: 1, // one request per connection at a time, so undici never re-sends one itself
      connectTimeout: options.connectTimeout,
      keepAliveTimeout: options.keepAliveTimeout,
      keepAliveMaxTimeout: options.keepAliveTimeout,
      keepAliveTimeoutThreshold: KEEP_ALIVE_MARGIN,
      headersTimeout: 0, // timed here, per request (UndiciExchange.deadline)
      bodyTimeout: 0,
    });
  }

  /** Connections open now (active and idle). */
  get size(): number {
    return this.pool.stats.connected;
  }

  dispatch(request: UpstreamRequest, handler: UpstreamHandler): void {
    if (this.closed) {
      handler.onError(new UpstreamError('UPSTREAM_POOL_CLOSED', 'upstream server removed'));
      return;
    }
    new UndiciExchange(this, request, handler).start();
  }

  /**
   * A connection of its own for one upgrade request, as the native client does: never a pooled
   * one, and closed with the request if it is given up before the 101 (a pooled connection would
   * stay open until the upstream answered).
   */
  oneOff(): Client {
    return new Client(this.origin, { connectTimeout: this.options.connectTimeout, pipelining: 1, headersTimeout: 0, bodyTimeout: 0 });
  }

  close(): Promise<void> {
    this.closed = true;
    return this.pool.close();
  }

  destroy(): Promise<void> {
    this.closed = true;
    return this.pool.destroy();
  }
}

/** One request's handler for undici, translating to the forwarding core's UpstreamHandler. */
class UndiciExchange implements Dispatcher.DispatchHandler, Expirable {
  /** The current phase's timeout (h1/deadlines.ts: undici's own tick every ~0.5 s, too coarse). */
  deadline = 0;
  private controller: Dispatcher.DispatchController | null = null;
  /** An upgrade's own connection (UndiciClient.oneOff), ended with the exchange. */
  private own: Client | null = null;
  /** Over: completed, failed, or given up by the handler (undici's later calls are ignored). */
  private done = false;
  private headersSeen = false;
  private status = 0;
  private replayed = false;
  /** The body is going out and the upstream has not taken its last chunk yet. */
  private sending = false;

  constructor(
    private readonly client: UndiciClient,
    private readonly request: UpstreamRequest,
    private readonly handler: UpstreamHandler,
  ) {}

  start(): void {
    const r = this.request;
    this.done = false;
    this.headersSeen = false;
    this.deadline = 0;
    deadlines.watch(this);
    // As an async iterable: undici sends it chunked unless `headers` has a Content-Length (as a
    // stream that already ended, it would count it and send a Content-Length of its own).
    // (DispatchOptions documents AsyncIterable bodies; its type omits them.)
    const body = r.body === null ? null : (this.bodyChunks(r.body) as unknown as Readable);
    const dispatcher = r.upgrade === null ? this.client.pool : (this.own ??= this.client.oneOff());
    dispatcher.dispatch(
      { method: r.method, path: r.path, headers: r.headers, body, headersTimeout: 0, bodyTimeout: 0, upgrade: r.upgrade },
      this,
    );
  }

  /**
   * The request body as undici pulls it. undici asks for the next chunk once the socket took the
   * last one: a longer wait than sendTimeout is the upstream not reading (proxy_send_timeout). A
   * wait for the client's next chunk is not timed here (the client's own timeout); the wait for
   * the head starts once the body is all out.
   */
  private async *bodyChunks(body: Readable): AsyncGenerator<Buffer> {
    for await (const chunk of body) {
      this.sending = true;
      this.arm(this.request.sendTimeout);
      yield chunk as Buffer;
      this.sending = false;
      this.arm(0);
    }
    this.arm(this.request.headersTimeout);
  }

  // ---- undici's calls ----

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.done) return;
    if (this.request.body === null) this.arm(this.request.headersTimeout);
    this.handler.onConnect(this.abort);
  }

  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    if (this.done || status < 200) return; // 1xx (103 Early Hints): not forwarded
    this.headersSeen = true;
    this.status = status;
    this.deadline = deadlineIn(this.request.bodyTimeout);
    if (!this.handler.onHeaders(status, flatHeaders(controller.rawHeaders, headers), this.resume) && !this.done) this.pause(controller);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.done) return;
    this.deadline = deadlineIn(this.request.bodyTimeout);
    if (!this.handler.onData(chunk) && !this.done) this.pause(controller);
  }

  onResponseEnd(): void {
    if (this.finish()) this.handler.onComplete();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (!this.finish()) return;
    if (this.bodilessDone(err)) {
      this.handler.onComplete();
      return;
    }
    if (this.mayReplay(err)) {
      this.replayed = true;
      this.start();
      return;
    }
    this.handler.onError(toUpstreamError(err));
  }

  onRequestUpgrade(controller: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders, socket: Socket): void {
    if (!this.finish('handed over')) return;
    const flat = flatHeaders(controller.rawHeaders, headers);
    const token = headerValue(flat, 'upgrade');
    if (this.handler.onUpgrade === undefined || token?.toLowerCase() !== this.request.upgrade?.toLowerCase()) {
      socket.destroy();
      this.handler.onError(new UpstreamError('UPSTREAM_PROTOCOL', `101 with upgrade ${token ?? '(none)'}, not ${this.request.upgrade}`));
      return;
    }
    // undici put the bytes that followed the 101 back into the socket: nothing is left over here.
    this.handler.onUpgrade(status, flat, socket, NO_HEAD);
  }

  // ---- the forwarding core's calls ----

  /** The handler gave up: undici destroys the connection, and its error callback is ignored. */
  private readonly abort = (reason: Error): void => {
    if (this.finish()) this.controller?.abort(reason);
  };

  private readonly resume = (): void => {
    if (this.done) return;
    this.deadline = deadlineIn(this.request.bodyTimeout);
    this.controller?.resume();
  };

  /** The client is slow: stop reading, and the read timeout with it (the client's own timeout runs). */
  private pause(controller: Dispatcher.DispatchController): void {
    this.deadline = 0;
    controller.pause();
  }

  expire(): void {
    const err = this.headersSeen
      ? new UpstreamError('UPSTREAM_BODY_TIMEOUT', 'response body stalled')
      : this.sending
        ? new UpstreamError('UPSTREAM_SEND_TIMEOUT', 'upstream stopped reading the request body')
        : new UpstreamError('UPSTREAM_HEADERS_TIMEOUT', 'no response head in time');
    if (!this.finish()) return;
    this.controller?.abort(err);
    this.handler.onError(err);
  }

  // ---- helpers ----

  /** Marks the exchange over; false when it already was. */
  /** Ends the exchange once; an upgrade's own connection is destroyed, or closed once handed over. */
  private finish(how: 'ended' | 'handed over' = 'ended'): boolean {
    if (this.done) return false;
    this.done = true;
    this.deadline = 0;
    deadlines.unwatch(this);
    const own = this.own;
    if (own !== null) {
      this.own = null;
      // After a 101 undici has let the socket go: closing the client leaves it to its new owner.
      (how === 'handed over' ? own.close() : own.destroy()).catch(() => undefined);
    }
    return true;
  }

  /** Arms the deadline while no response head came (after it, the body timeout rules). */
  private arm(ms: number): void {
    if (!this.done && !this.headersSeen) this.deadline = deadlineIn(ms);
  }

  /**
   * undici checks a 204 or 304 against its Content-Length (which there describes the resource, RFC
   * 9110 §8.6) and fails it, the connection with it: the response itself was complete.
   */
  private bodilessDone(err: Error & { code?: string }): boolean {
    return err.code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' && (this.status === 204 || this.status === 304);
  }

  /**
   * A pooled connection the server closed while idle fails on first use, before any answer: that
   * is not the server failing this request, so it goes once more, when the caller allows it
   * (never for POST unless the route says so) and no body byte was consumed. undici tells a reused
   * connection by the bytes it had read before (a fresh one that closes is the server's failure).
   */
  private mayReplay(err: Error & { code?: string; socket?: { bytesRead?: number } }): boolean {
    const r = this.request;
    if (this.replayed || !r.replayable || this.headersSeen || !bodyUnread(r.body)) return false;
    if (err.code === 'UND_ERR_SOCKET') return (err.socket?.bytesRead ?? 0) > 0 && !isBadResponse(err);
    // A reset surfaces as a bare ECONNRESET / EPIPE, without the socket to tell a reused
    // connection by: replayed once all the same (the request is replayable and nothing came back).
    return err.code === 'ECONNRESET' || err.code === 'EPIPE';
  }
}

function bodyUnread(body: Readable | null): boolean {
  return body === null || !body.readableDidRead;
}

function isBadResponse(err: Error): boolean {
  return err.message === 'bad response' || err.message === 'bad upgrade';
}

/** The codes forward/proxy-errors.ts knows; connect failures (ECONNREFUSED...) keep their own. */
function toUpstreamError(err: Error & { code?: string }): Error {
  switch (err.code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new UpstreamError('UPSTREAM_CONNECT_TIMEOUT', err.message);
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new UpstreamError('UPSTREAM_HEADERS_TIMEOUT', 'no response head in time');
    case 'UND_ERR_BODY_TIMEOUT':
      return new UpstreamError('UPSTREAM_BODY_TIMEOUT', 'response body stalled');
    case 'UND_ERR_SOCKET':
      if (isBadResponse(err)) return new UpstreamError('UPSTREAM_PROTOCOL', `invalid response: ${err.message}`);
      return new UpstreamError('UPSTREAM_CLOSED', `upstream connection ${err.message}`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new UpstreamError('UPSTREAM_CLOSED', `upstream connection: ${err.code}`);
    case 'UND_ERR_CLOSED':
    case 'UND_ERR_DESTROYED':
      return new UpstreamError('UPSTREAM_POOL_CLOSED', 'upstream server removed');
    case 'UND_ERR_HEADERS_OVERFLOW':
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
    case 'UND_ERR_RES_EXCEEDED_MAX_SIZE':
      return new UpstreamError('UPSTREAM_PROTOCOL', `invalid response: ${err.message}`);
  }
  // llhttp's errors (HPE_INVALID_CONSTANT ...) from undici's parser; some carry no code.
  if (err.name === 'HTTPParserError' || err.code?.startsWith('HPE_')) return new UpstreamError('UPSTREAM_PROTOCOL', `invalid response: ${err.message}`);
  return err;
}

/** undici's raw head (Buffers, as sent: names' case and order kept), else its parsed object. */
function flatHeaders(raw: Dispatcher.DispatchController['rawHeaders'], parsed: IncomingHttpHeaders): string[] {
  const out: string[] = [];
  if (Array.isArray(raw)) {
    for (let i = 0; i < raw.length; i++) out.push(typeof raw[i] === 'string' ? (raw[i] as string) : (raw[i] as Buffer).toString('latin1'));
    return out;
  }
  for (const name of Object.keys(parsed)) {
    const value = parsed[name];
    if (Array.isArray(value)) for (const v of value) out.push(name, v);
    else if (value !== undefined) out.push(name, value);
  }
  return out;
}

function headerValue(flat: string[], name: string): string | undefined {
  for (let i = 0; i < flat.length; i += 2) if (flat[i].toLowerCase() === name) return flat[i + 1];
  return undefined;
}
