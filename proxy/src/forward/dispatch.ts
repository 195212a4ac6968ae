// One client request forwarded with NGINX proxy_next_upstream semantics: claim a server, send the
// request through its upstream client, and on failure try the next server while nothing has
// reached the client. Passive health is counted here, once per attempt. The accepted answer flows
// into the response chain (response-handler.ts).
//
// Hot path: one Dispatch and one Attempt per try, callback handlers (no streams or promises per
// request), headers as flat string arrays.
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { CachePolicy } from '../cache/cache-policy';
import type { ResolvedRetry, ResolvedTimeouts } from '../config/resolved';
import type { Downstream, DownstreamCloseListener } from '../downstream/downstream';
import type { PickContext } from '../upstream/balancer';
import type { Upstream } from '../upstream/upstream';
import type { UpstreamHandler } from '../upstream/h1/upstream-handler';
import type { RouteStats } from '../upstream/server-stats';
import type { UpstreamServer } from '../upstream/upstream-server';
import type { ClientWriter } from './client-writer';
import type { HeaderRules } from './header-rules';
import { fromUpstreamError, ProxyError, type FailureKind } from './proxy-errors';
import type { ResponseHandler } from './response-handler';
import { buildResponseHeaders } from './response-headers';
import type { StickyHandler } from './sticky-handler';

/** Methods NGINX never retries once sent (proxy_next_upstream "non_idempotent" opts in). */
const NON_IDEMPOTENT = new Set(['POST', 'PATCH', 'LOCK']);

export interface ForwardTarget {
  upstream: Upstream;
  retryNonIdempotent: boolean;
  /** null when the route has none (no link in the response chain). */
  responseRules: HeaderRules | null;
  /** Upgrade protocols the route passes on, lowercased. */
  upgrades: ReadonlySet<string>;
  /** The route's counters (kept by name across reloads). */
  stats: RouteStats;
  /** The route's proxy cache; null when it has none. */
  cache: CachePolicy | null;
}

/** How an attempt ended, for passive health: counted as a success, a failure, or not at all. */
type Outcome = 'success' | 'uncounted' | { failure: ProxyError; kind: FailureKind | 'http' };

export class Dispatch implements DownstreamCloseListener {
  private attempt: Attempt | null = null;
  private readonly tried: UpstreamServer[] = [];
  private tries = 0;
  private readonly startedAt = Date.now();
  private done = false;
  private readonly replayable: boolean;
  /** The server the client's sticky value named, if any: its answers need no new cookie. */
  private bound: UpstreamServer | null = null;

  constructor(
    private readonly ds: Downstream,
    private readonly target: ForwardTarget,
    private readonly headers: string[],
    private readonly body: Readable | null,
    private readonly timeouts: ResolvedTimeouts,
    private readonly chain: ResponseHandler,
    private readonly writer: ClientWriter,
    /** The Upgrade token asked for, or null for a plain request. */
    private readonly upgrade: string | null,
    /** The sticky link of the chain, told which server answered; null without one. */
    private readonly sticky: StickyHandler | null = null,
  ) {
    this.replayable = !NON_IDEMPOTENT.has(ds.method) || target.retryNonIdempotent;
    ds.onClose(this);
  }

  start(): void {
    this.next(null);
  }

  private next(lastError: ProxyError | null): void {
    const upstream = this.target.upstream;
    const pick: PickContext = { now: Date.now(), key: upstream.hashKey(this.ds), tried: this.tried, request: this.ds, bound: null };
    const server = upstream.claim(pick);
    if (pick.bound) this.bound = pick.bound;
    if (server === null) {
      this.fail(lastError ?? new ProxyError('UPSTREAM_UNAVAILABLE', `no server of upstream ${upstream.name} is available`));
      return;
    }
    this.tries++;
    this.tried.push(server);
    server.record.stats.requests++;
    const attempt = new Attempt(this, server);
    this.attempt = attempt;
    const t = this.timeouts;
    server.client.dispatch(
      {
        path: this.ds.url,
        method: this.ds.method,
        headers: this.headers,
        body: this.body,
        headersTimeout: t.firstByte,
        bodyTimeout: t.upstreamIdle,
        sendTimeout: t.upstreamIdle,
        replayable: this.replayable,
        upgrade: this.upgrade,
      },
      attempt,
    );
  }

  // ---- called by Attempt (the upstream client's handler) ----

  onAttemptHeaders(attempt: Attempt, status: number, raw: string[], resume: () => void): boolean {
    if (attempt !== this.attempt || this.done) return false;
    attempt.server.record.stats.response(status, Date.now() - attempt.startedAt);
    if (status >= 429 && this.retry().statuses.has(status)) {
      // proxy_next_upstream http_5xx: the answer counts as a failure and, when another server may
      // be tried, is dropped unread. The last server's answer is passed on as it is.
      const failure = new ProxyError('UPSTREAM_BAD_RESPONSE', `upstream ${attempt.server.id} answered ${status}`);
      if (this.canRetry(attempt, 'http') && this.target.upstream.hasCandidate(Date.now(), this.tried)) {
        this.finishAttempt(attempt, { failure, kind: 'http' });
        attempt.abort?.(failure);
        this.next(failure);
        return false;
      }
      this.countFailure(attempt.server, failure, 'http');
      attempt.failed = true; // its end must not count as a success
    }
    this.target.stats.response(status);
    if (this.sticky !== null) this.sticky.answeredBy(attempt.server, attempt.server === this.bound);
    try {
      return this.chain.onHeaders(status, buildResponseHeaders(raw), resume);
    } catch (err) {
      // A head node refuses to write: the client gets an error page, never an uncaught throw.
      this.finishAttempt(attempt, 'uncounted');
      attempt.abort?.(err as Error);
      this.fail(new ProxyError('UPSTREAM_BAD_RESPONSE', `cannot forward the response head: ${(err as Error).message}`));
      return false;
    }
  }

  onAttemptData(attempt: Attempt, chunk: Buffer): boolean {
    if (attempt !== this.attempt || this.done) return false;
    attempt.server.record.stats.bytesReceived += chunk.length;
    return this.chain.onData(chunk);
  }

  onAttemptComplete(attempt: Attempt): void {
    if (attempt !== this.attempt || this.done) return;
    this.finishAttempt(attempt, attempt.failed ? 'uncounted' : 'success');
    this.done = true;
    // The answer came before the client finished its upload: drop the rest of the upload.
    if (this.body !== null && !this.ds.bodyComplete) this.ds.discardBody();
    this.chain.onComplete();
  }

  onAttemptUpgrade(attempt: Attempt, status: number, raw: string[], socket: Socket, head: Buffer): void {
    if (attempt !== this.attempt || this.done || attempt.finished) {
      socket.destroy();
      return;
    }
    // The claim on the server lasts as long as the tunnel (least-conn, maxConns and drain see it).
    attempt.finished = true;
    attempt.server.recordSuccess();
    this.done = true;
    const upstream = this.target.upstream;
    const server = attempt.server;
    server.record.stats.response(status, Date.now() - attempt.startedAt);
    this.target.stats.response(status);
    if (this.sticky !== null) this.sticky.answeredBy(server, server === this.bound);
    let tunnel = null;
    try {
      tunnel = this.chain.onUpgrade(status, buildResponseHeaders(raw), socket, head);
    } catch {
      tunnel = null;
    }
    if (tunnel === null) {
      socket.destroy();
      this.ds.abort();
      upstream.release(server);
      return;
    }
    server.record.stats.tunnelsOpened++;
    tunnel.register(server.record.tunnels);
    tunnel.whenClosed(() => upstream.release(server));
  }

  onAttemptError(attempt: Attempt, err: Error & { code?: string }): void {
    if (attempt !== this.attempt || attempt.finished) return;
    const failure = err instanceof ProxyError ? err : fromUpstreamError(err, attempt.server.id);
    if (this.done) {
      this.finishAttempt(attempt, 'uncounted');
      return;
    }
    if (this.ds.headersSent) {
      // Bytes already reached the client: nothing can be retried or replaced; the client sees a
      // truncated response, not a complete-looking one.
      this.finishAttempt(attempt, { failure, kind: failure.kind });
      this.done = true;
      this.chain.onError(failure);
      return;
    }
    const retry = this.canRetry(attempt, failure.kind);
    this.finishAttempt(attempt, { failure, kind: failure.kind });
    if (retry) this.next(failure);
    else this.fail(failure);
  }

  // ---- the client side ----

  /** The client went away (or its body timed out): the attempt is abandoned, and not the server's fault. */
  downstreamClosed(): void {
    this.writer.clientGone();
    if (this.done) return;
    this.done = true;
    const attempt = this.attempt;
    if (attempt && !attempt.finished) {
      this.finishAttempt(attempt, 'uncounted');
      attempt.abort?.(new ProxyError('UPSTREAM_RESET', 'client closed the connection'));
    }
  }

  // ---- helpers ----

  private retry(): ResolvedRetry {
    return this.target.upstream.config.retry;
  }

  private canRetry(attempt: Attempt, kind: FailureKind | 'http'): boolean {
    const retry = this.retry();
    if (this.ds.headersSent) return false;
    if (kind !== 'http' && !retry.on.has(kind)) return false;
    if (retry.tries > 0 && this.tries >= retry.tries) return false;
    if (retry.timeout > 0 && Date.now() - this.startedAt >= retry.timeout) return false;
    if (attempt.sent) {
      if (this.body !== null) return false; // its bytes are gone: a streamed body cannot be replayed
      if (!this.replayable) return false;
    }
    return true;
  }

  /** Ends an attempt's claim on its server exactly once, and counts it for passive health. */
  private finishAttempt(attempt: Attempt, outcome: Outcome): void {
    if (attempt.finished) return;
    attempt.finished = true;
    this.target.upstream.release(attempt.server);
    if (outcome === 'success') attempt.server.recordSuccess();
    else if (outcome !== 'uncounted') this.countFailure(attempt.server, outcome.failure, outcome.kind);
  }

  /** NGINX counts an unsuccessful attempt only for the conditions proxy_next_upstream names. */
  private countFailure(server: UpstreamServer, failure: ProxyError, kind: FailureKind | 'http'): void {
    if (kind !== 'http' && !this.retry().on.has(kind)) return;
    server.record.stats.failures++;
    server.recordFailure(Date.now(), failure.message);
  }

  private fail(error: ProxyError): void {
    this.done = true;
    this.target.stats.response(error.status);
    this.chain.onError(error);
  }
}

/** The upstream client's handler for one try against one server. */
class Attempt implements UpstreamHandler {
  abort: ((err: Error) => void) | null = null;
  /** The request started going out on a connection: it may have reached the server. */
  sent = false;
  finished = false;
  /** Its answer was counted as a failure (proxy_next_upstream http_*), though passed on. */
  failed = false;
  readonly startedAt = Date.now();

  constructor(
    private readonly dispatch: Dispatch,
    readonly server: UpstreamServer,
  ) {}

  onConnect(abort: (err: Error) => void): void {
    this.abort = abort;
    this.sent = true;
    if (this.finished) abort(new ProxyError('UPSTREAM_RESET', 'request abandoned'));
  }

  onHeaders(status: number, raw: string[], resume: () => void): boolean {
    return this.dispatch.onAttemptHeaders(this, status, raw, resume);
  }

  onData(chunk: Buffer): boolean {
    return this.dispatch.onAttemptData(this, chunk);
  }

  onComplete(): void {
    this.dispatch.onAttemptComplete(this);
  }

  onError(err: Error): void {
    this.dispatch.onAttemptError(this, err);
  }

  onUpgrade(status: number, raw: string[], socket: Socket, head: Buffer): void {
    this.dispatch.onAttemptUpgrade(this, status, raw, socket, head);
  }
}
