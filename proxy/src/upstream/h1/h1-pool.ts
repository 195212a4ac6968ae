// Keep-alive connections to one upstream server. Every request takes an idle connection (most
// recently used first, so surplus ones age out) or opens a new one: requests never queue here;
// limits on concurrency are the balancer's job (maxConns).
import { H1Connection, type ConnectionOwner } from './h1-connection';
import { UpstreamError, type UpstreamClient, type UpstreamHandler, type UpstreamRequest } from './upstream-handler';

/** Idle connections kept per server unless told otherwise (NGINX's `keepalive` has no default). */
export const DEFAULT_MAX_IDLE = 64;

export interface H1PoolOptions {
  connectTimeout: number;
  keepAliveTimeout: number;
  /** Idle connections kept open (NGINX's `keepalive N`); one released beyond it is closed. */
  maxIdle?: number;
}

export class H1Pool implements ConnectionOwner, UpstreamClient {
  readonly connectTimeout: number;
  readonly keepAliveTimeout: number;
  readonly maxIdle: number;
  private readonly idle: H1Connection[] = [];
  private readonly all = new Set<H1Connection>();
  private closing: (() => void) | null = null;
  private closed = false;

  constructor(
    readonly host: string,
    readonly port: number,
    options: H1PoolOptions,
  ) {
    this.connectTimeout = options.connectTimeout;
    this.keepAliveTimeout = options.keepAliveTimeout;
    this.maxIdle = options.maxIdle ?? DEFAULT_MAX_IDLE;
  }

  /** Connections open now (active and idle). */
  get size(): number {
    return this.all.size;
  }

  dispatch(request: UpstreamRequest, handler: UpstreamHandler): void {
    if (this.closed) {
      handler.onError(new UpstreamError('UPSTREAM_POOL_CLOSED', 'upstream server removed'));
      return;
    }
    if (request.upgrade !== null) {
      // Always a fresh connection: it becomes the handler's on a 101, is closed after any other answer.
      const fresh = new H1Connection(this, true);
      this.all.add(fresh);
      fresh.send(request, handler);
      return;
    }
    let conn = this.idle.pop();
    while (conn !== undefined && !conn.idle) conn = this.idle.pop();
    if (conn === undefined) {
      conn = new H1Connection(this);
      this.all.add(conn);
    }
    conn.send(request, handler);
  }

  redispatch(request: UpstreamRequest, handler: UpstreamHandler): void {
    const conn = new H1Connection(this);
    this.all.add(conn);
    conn.send(request, handler);
  }

  release(conn: H1Connection): void {
    if (this.closed || this.idle.length >= this.maxIdle) conn.destroy();
    else this.idle.push(conn);
  }

  forget(conn: H1Connection): void {
    this.all.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i !== -1) this.idle.splice(i, 1);
    if (this.closing && this.all.size === 0) this.closing();
  }

  /** No new requests; idle connections close now, active ones when their response ends. */
  close(): Promise<void> {
    this.closed = true;
    for (const conn of this.idle.splice(0)) conn.destroy();
    if (this.all.size === 0) return Promise.resolve();
    return new Promise((resolve) => (this.closing = resolve));
  }

  destroy(): Promise<void> {
    this.closed = true;
    for (const conn of [...this.all]) conn.destroy();
    return Promise.resolve();
  }
}
