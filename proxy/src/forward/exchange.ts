// One client request proxied to an upstream: pick a server, stream the request to it, stream the
// response back, and on failure try the next server with NGINX proxy_next_upstream semantics.
//
// Hot path: one Exchange and one Attempt object per request, a callback handler on the upstream
// client (no streams or promises per request), headers as flat string arrays. Listeners are module-level
// functions that find the exchange through a symbol, so no closure is allocated per request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { ResolvedRetry, ResolvedTimeouts } from '../config/resolved';
import type { RequestContext } from '../request-context';
import type { Upstream } from '../upstream/upstream';
import { isRecyclable, recycleBodyBuffer } from '../upstream/h1/body-buffers';
import type { UpstreamHandler } from '../upstream/h1/upstream-handler';
import type { UpstreamServer } from '../upstream/upstream-server';
import { sendError } from './error-page';
import type { HeaderRules } from './header-rules';
import { fromUpstreamError, ProxyError, type FailureKind } from './proxy-errors';
import { buildResponseHeaders } from './response-headers';

/** Methods NGINX never retries once sent (proxy_next_upstream "non_idempotent" opts in). */
const NON_IDEMPOTENT = new Set(['POST', 'PATCH', 'LOCK']);
/** Bodies up to this size are held and written to the client with the head in one write (measured: +22% rps). */
const HOLD_LIMIT = 1024 * 1024;
const kExchange = Symbol('portico.exchange');

export interface ForwardTarget {
  upstream: Upstream;
  retryNonIdempotent: boolean;
  responseRules: HeaderRules;
}

export interface ExchangeObserver {
  /** A passive health transition: the server was marked unavailable. */
  serverFailed(server: UpstreamServer, error: Error): void;
}

type ResponseCarrier = ServerResponse & { [kExchange]?: Exchange };

export class Exchange {
  private attempt: Attempt | null = null;
  private tried: UpstreamServer[] = [];
  private tries = 0;
  private readonly startedAt = Date.now();
  private body: PassThrough | null = null;
  private done = false;
  /** The response body is held until its end and written whole (known length up to HOLD_LIMIT). */
  private holding = false;
  /** The body chunk held back; an earlier one, if the body came in pieces, is already in the corked socket. */
  private held: Buffer | null = null;
  private sendTimer: NodeJS.Timeout | null = null;
  private awaitingDrain = false;
  /** The last body chunk of a held response, recycled once flushed. */
  private written: Buffer | null = null;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly ctx: RequestContext,
    private readonly target: ForwardTarget,
    private readonly headers: string[],
    hasBody: boolean,
    private readonly timeouts: ResolvedTimeouts,
    private readonly observer: ExchangeObserver,
  ) {
    (res as ResponseCarrier)[kExchange] = this;
    res.on('close', onClientClose);
    if (hasBody) {
      // A private stream in front of the client's, so a failed upstream write cannot touch the
      // client's socket (it must survive to receive the 502). Unread, it is reused by a retry.
      this.body = new PassThrough();
      req.pipe(this.body);
    }
  }

  start(): void {
    this.next(null);
  }

  private next(lastError: ProxyError | null): void {
    const upstream = this.target.upstream;
    const server = upstream.claim({ now: Date.now(), key: upstream.hashKey(this.ctx), tried: this.tried });
    if (server === null) {
      this.fail(lastError ?? new ProxyError('UPSTREAM_UNAVAILABLE', `no server of upstream ${upstream.name} is available`));
      return;
    }
    this.tries++;
    this.tried.push(server);
    const attempt = new Attempt(this, server);
    this.attempt = attempt;
    server.pool.dispatch(
      {
        path: this.req.url ?? '/',
        method: this.req.method ?? 'GET',
        headers: this.headers,
        body: this.body,
        headersTimeout: this.timeouts.firstByte,
        bodyTimeout: this.timeouts.upstreamIdle,
        sendTimeout: this.timeouts.upstreamIdle,
        replayable: !NON_IDEMPOTENT.has(this.req.method ?? 'GET') || this.target.retryNonIdempotent,
        upgrade: null,
      },
      attempt,
    );
  }

  // ---- called by Attempt (the upstream client's handler) ----

  onResponseHead(attempt: Attempt, status: number, raw: string[], resume: () => void): boolean {
    if (attempt !== this.attempt || this.done) return false;
    if (status >= 429 && this.upstreamRetry().statuses.has(status)) {
      // proxy_next_upstream http_5xx: the answer counts as a failure and, when another server may
      // be tried, is dropped unread. The last server's answer is passed on as it is.
      const failure = new ProxyError('UPSTREAM_BAD_RESPONSE', `upstream ${attempt.server.id} answered ${status}`);
      if (this.canRetry(attempt, 'http') && this.target.upstream.hasCandidate(Date.now(), this.tried)) {
        this.finishAttempt(attempt, failure, 'http');
        attempt.abort?.(failure);
        this.next(failure);
        return false;
      }
      this.countFailure(attempt.server, failure, 'http');
    }
    attempt.resume = resume;
    const head = buildResponseHeaders(raw);
    const res = this.res;
    const headers = this.target.responseRules.apply(head.headers, this.ctx);
    try {
      res.writeHead(status, headers);
    } catch (err) {
      // A head node:http refuses to write (e.g. a header rule produced an invalid value).
      const failure = new ProxyError('UPSTREAM_BAD_RESPONSE', `cannot forward the response head: ${(err as Error).message}`);
      this.finishAttempt(attempt, failure, null);
      attempt.abort?.(failure);
      this.fail(failure);
      return false;
    }
    this.holding = head.contentLength > 0 && head.contentLength <= HOLD_LIMIT;
    return true;
  }

  onResponseData(attempt: Attempt, chunk: Buffer): boolean {
    if (attempt !== this.attempt || this.done) return false;
    const res = this.res;
    // A held body (known length up to HOLD_LIMIT; the upstream client hands such a body over
    // whole) is written with the head by end(), in one syscall. Should it come in pieces, the
    // earlier ones wait in the corked socket, and write()'s "buffer full" answer is ignored: the
    // bound is HOLD_LIMIT.
    if (this.holding) {
      if (this.held !== null) {
        if (res.writableCorked === 0) res.cork();
        res.write(this.held);
      }
      this.held = chunk;
      return true;
    }
    if (res.write(chunk)) return true;
    if (!this.awaitingDrain) {
      this.awaitingDrain = true;
      res.once('drain', onClientDrain);
      if (this.timeouts.clientSend > 0) this.sendTimer = setTimeout(onClientSendTimeout, this.timeouts.clientSend, this);
    }
    return false;
  }

  onResponseEnd(attempt: Attempt): void {
    if (attempt !== this.attempt || this.done) return;
    this.finishAttempt(attempt, null, null);
    this.done = true;
    const held = this.held;
    if (held === null) {
      this.res.end();
      return;
    }
    // end() with data writes the head, the corked pieces and this chunk together, then uncorks.
    this.held = null;
    if (!isRecyclable(held)) {
      this.res.end(held); // no 'finish' listener per response for memory nobody reuses
      return;
    }
    this.written = held;
    this.res.end(held, onClientFlushed);
  }

  /** The held body reached the kernel: its memory can serve another response. */
  clientFlushed(): void {
    if (this.written !== null) recycleBodyBuffer(this.written);
    this.written = null;
  }

  onAttemptError(attempt: Attempt, err: Error & { code?: string }): void {
    if (attempt !== this.attempt || attempt.finished) return;
    const failure = err instanceof ProxyError ? err : fromUpstreamError(err, attempt.server.id);
    if (this.done) {
      this.finishAttempt(attempt, null, null);
      return;
    }
    if (this.res.headersSent) {
      // Bytes already reached the client: nothing can be retried or replaced; cut the connection
      // so the client sees a truncated response, not a complete-looking one.
      this.finishAttempt(attempt, failure, failure.kind);
      this.done = true;
      this.res.destroy(failure);
      return;
    }
    const retry = this.canRetry(attempt, failure.kind);
    this.finishAttempt(attempt, failure, failure.kind);
    if (retry) this.next(failure);
    else this.fail(failure);
  }

  // ---- client side events ----

  clientClosed(): void {
    this.clearSendTimer();
    if (this.done) return;
    this.done = true;
    const attempt = this.attempt;
    if (attempt && !attempt.finished) {
      this.finishAttempt(attempt, null, null);
      attempt.abort?.(new ProxyError('UPSTREAM_RESET', 'client closed the connection'));
    }
    this.body?.destroy();
  }

  clientDrained(): void {
    this.awaitingDrain = false;
    this.clearSendTimer();
    this.attempt?.resume?.();
  }

  clientSendTimedOut(): void {
    this.sendTimer = null;
    // As NGINX's reset_timedout_connection: a reset reaches a client that stopped reading, where a
    // FIN would wait behind the data it does not read. The upstream is released by 'close'.
    const socket = this.res.socket;
    if (socket !== null && !socket.destroyed) socket.resetAndDestroy();
    else this.res.destroy();
  }

  // ---- helpers ----

  private upstreamRetry(): ResolvedRetry {
    return this.target.upstream.config.retry;
  }

  private canRetry(attempt: Attempt, kind: FailureKind | 'http'): boolean {
    const retry = this.upstreamRetry();
    if (this.res.headersSent) return false;
    if (kind !== 'http' && !retry.on.has(kind)) return false;
    if (retry.tries > 0 && this.tries >= retry.tries) return false;
    if (retry.timeout > 0 && Date.now() - this.startedAt >= retry.timeout) return false;
    if (attempt.sent) {
      if (this.body !== null) return false; // its bytes are gone: a streamed body cannot be replayed
      if (NON_IDEMPOTENT.has(this.req.method ?? 'GET') && !this.target.retryNonIdempotent) return false;
    }
    return true;
  }

  /** Ends an attempt's claim on its server exactly once; a failure of `kind` counts for passive health. */
  private finishAttempt(attempt: Attempt, failure: ProxyError | null, kind: FailureKind | 'http' | null): void {
    if (attempt.finished) return;
    attempt.finished = true;
    this.target.upstream.release(attempt.server);
    if (failure === null) attempt.server.recordSuccess();
    else if (kind !== null) this.countFailure(attempt.server, failure, kind);
  }

  /** NGINX counts an unsuccessful attempt only for the conditions proxy_next_upstream names. */
  private countFailure(server: UpstreamServer, failure: ProxyError, kind: FailureKind | 'http'): void {
    if (kind !== 'http' && !this.upstreamRetry().on.has(kind)) return;
    if (server.recordFailure(Date.now())) this.observer.serverFailed(server, failure);
  }

  private fail(error: ProxyError): void {
    this.done = true;
    this.body?.destroy();
    sendError(this.req, this.res, error.status, error.code);
  }

  private clearSendTimer(): void {
    if (this.sendTimer !== null) {
      clearTimeout(this.sendTimer);
      this.sendTimer = null;
    }
  }
}

/** The upstream client's handler for one try against one server. */
class Attempt implements UpstreamHandler {
  abort: ((err: Error) => void) | null = null;
  resume: (() => void) | null = null;
  /** The request started going out on a connection: it may have reached the server. */
  sent = false;
  finished = false;

  constructor(
    private readonly exchange: Exchange,
    readonly server: UpstreamServer,
  ) {}

  onConnect(abort: (err: Error) => void): void {
    this.abort = abort;
    this.sent = true;
    if (this.finished) abort(new ProxyError('UPSTREAM_RESET', 'request abandoned'));
  }

  onHeaders(status: number, raw: string[], resume: () => void): boolean {
    return this.exchange.onResponseHead(this, status, raw, resume);
  }

  onData(chunk: Buffer): boolean {
    return this.exchange.onResponseData(this, chunk);
  }

  onComplete(): void {
    this.exchange.onResponseEnd(this);
  }

  onError(err: Error): void {
    this.exchange.onAttemptError(this, err);
  }
}

function onClientClose(this: ResponseCarrier): void {
  this[kExchange]?.clientClosed();
}

function onClientFlushed(this: ResponseCarrier): void {
  this[kExchange]?.clientFlushed();
}

function onClientDrain(this: ResponseCarrier): void {
  this[kExchange]?.clientDrained();
}

function onClientSendTimeout(exchange: Exchange): void {
  exchange.clientSendTimedOut();
}
