// The contract between the forwarding core and an upstream client (undici's dispatch handler
// shape): one handler per request, callbacks in this order. Two clients implement it: the one on
// Node's native parser (h1-pool.ts) and a fallback on undici's public Pool.dispatch.
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';

export interface UpstreamRequest {
  method: string;
  path: string;
  /** Flat [name, value, ...]; hop-by-hop headers already removed. */
  headers: string[];
  /** Streamed with backpressure; sent chunked unless `headers` has a Content-Length. */
  body: Readable | null;
  /**
   * Time allowed between the request being fully sent (head and body) and the response head
   * (ms, 0: none). While the body is still going out, only the upstream's reading is timed
   * (`sendTimeout`): a slow client is the client's timeout, never the server's.
   */
  headersTimeout: number;
  /** Time allowed between two reads of the response body (ms, 0: none). */
  bodyTimeout: number;
  /** Time the upstream may leave a body write unread (proxy_send_timeout; ms, 0: none). */
  sendTimeout: number;
  /**
   * Whether the request may go once more on a fresh connection when a reused keep-alive
   * connection was closed or reset before any response byte (never after a timeout). The caller
   * says no for POST, PATCH and LOCK unless the route opts in; a body already read cannot go again.
   */
  replayable: boolean;
  /**
   * An Upgrade token ("websocket"): the request is sent with `Connection: upgrade` and this
   * `Upgrade`; a 101 whose Upgrade matches reaches `onUpgrade`, any other answer is a normal
   * response on a connection that is not reused.
   */
  upgrade: string | null;
}

export interface UpstreamHandler {
  /** The request is about to be written on a connection: it may reach the server from now on. */
  onConnect(abort: (err: Error) => void): void;
  /** Returns false to pause reading until `resume` is called. */
  onHeaders(status: number, headers: string[], resume: () => void): boolean;
  /**
   * Returns false to pause reading until `resume` is called. A Content-Length body up to 1 MiB
   * arrives whole, in one call; its memory may be given back with recycleBodyBuffer once written.
   */
  onData(chunk: Buffer): boolean;
  onComplete(): void;
  /** The exchange failed; never called after onComplete, nor after the handler's own abort. */
  onError(err: Error): void;
  /**
   * Upgrade requests only: the server answered 101 with the requested protocol. The socket is
   * the handler's from now on (it left the pool); `head` holds bytes that arrived after the 101.
   */
  onUpgrade?(status: number, headers: string[], socket: Socket, head: Buffer): void;
}

/** What the forwarding core needs from a client of one upstream server. */
export interface UpstreamClient {
  dispatch(request: UpstreamRequest, handler: UpstreamHandler): void;
  /** Connections open now (active and idle). */
  readonly size: number;
  /** No new requests; idle connections close now, active ones when their response ends. */
  close(): Promise<void>;
  /** Every connection closed now. */
  destroy(): Promise<void>;
}

/** An upstream failure with a stable code (mapped to 502/504 by forward/proxy-errors.ts). */
export class UpstreamError extends Error {
  constructor(
    readonly code: UpstreamErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

export type UpstreamErrorCode =
  | 'UPSTREAM_CONNECT_TIMEOUT'
  | 'UPSTREAM_HEADERS_TIMEOUT'
  | 'UPSTREAM_BODY_TIMEOUT'
  | 'UPSTREAM_SEND_TIMEOUT'
  | 'UPSTREAM_CLOSED'
  | 'UPSTREAM_PROTOCOL'
  | 'UPSTREAM_POOL_CLOSED';
