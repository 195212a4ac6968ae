// The contract between the forwarding core and the upstream client (undici's dispatch handler
// shape, which the first versions used): one handler per request, callbacks in this order.
import type { Readable } from 'node:stream';

export interface UpstreamRequest {
  method: string;
  path: string;
  /** Flat [name, value, ...]; hop-by-hop headers already removed. */
  headers: string[];
  /** Streamed with backpressure; sent chunked unless `headers` has a Content-Length. */
  body: Readable | null;
  /** Time allowed between sending the request and the response head (ms, 0: none). */
  headersTimeout: number;
  /** Time allowed between two reads of the response body (ms, 0: none). */
  bodyTimeout: number;
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
  | 'UPSTREAM_CLOSED'
  | 'UPSTREAM_PROTOCOL'
  | 'UPSTREAM_POOL_CLOSED';
