// The request/response the proxy works on, whatever the client's protocol. Routing, forwarding,
// retries, balancing and templates see only this; only a listener and its Downstream know whether
// the client speaks HTTP/1.1 (h1-downstream.ts), an HTTP/1.1 Upgrade (upgrade-downstream.ts) or,
// later, HTTP/2.
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { TemplateContext } from '../template';
import type { Tunnel } from '../server/tunnels';

/** Who hears that the client went away (the forwarding in progress). */
export interface DownstreamCloseListener {
  downstreamClosed(): void;
}

/** Who hears that a client that stopped reading drained its buffer. */
export interface DownstreamDrainListener {
  downstreamDrained(): void;
}

export interface Downstream extends TemplateContext {
  // ---- the request ----
  readonly method: string;
  readonly scheme: string;
  /** The authority as received (Host header or :authority), with any port. */
  readonly host: string;
  /** The request target as received: path and query. */
  readonly url: string;
  /** The TCP peer's address. */
  readonly peer: string;
  /** The real client address (X-Forwarded-For from a trusted proxy, else the peer). */
  remoteAddr: string;
  /** The client's header list as received, flat [name, value, ...]. */
  readonly rawHeaders: readonly string[];
  readonly headers: IncomingHttpHeaders;
  /** Starts reading the request body into a stream of its own (a failed upstream write cannot touch the client). */
  openBody(): Readable;
  /** Whether the client's request (head and body) has fully arrived. */
  readonly bodyComplete: boolean;
  /** The answer came before the body ended: stop forwarding the body and discard the rest of it. */
  discardBody(): void;

  // ---- the response ----
  readonly headersSent: boolean;
  /** Throws when node refuses a header (the caller answers with an error page instead). */
  writeHead(status: number, headers: string[]): void;
  /** False when the client's buffer is full: call awaitDrain. */
  write(chunk: Buffer): boolean;
  /** Holds what is written until `end` (one write of head and body). */
  cork(): void;
  /** Ends the response; pooled body memory in `last` is recycled once flushed when `recycle`. */
  end(last: Buffer | null, recycle: boolean): void;
  awaitDrain(listener: DownstreamDrainListener): void;
  /** An error page, or a cut connection when the head already went out. */
  fail(status: number, code: string): void;
  /** Cuts the connection: the client sees a truncated response, never a complete-looking one. */
  abort(): void;
  /** A reset, not a FIN: for a client that stopped reading (NGINX reset_timedout_connection). */
  reset(): void;
  /** Registers who is told when the client goes away. */
  onClose(listener: DownstreamCloseListener): void;
  /**
   * Upgrade requests only: answers with the upstream's 101 and tunnels bytes both ways; null when
   * the client is gone. Other downstreams answer null.
   */
  upgrade(status: number, headers: string[], upstream: Socket, head: Buffer): Tunnel | null;
}
