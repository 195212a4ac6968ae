// The response side of forwarding as a chain of handlers in undici's shape. The retrying dispatch
// feeds the head of the chain with the answer of the attempt it accepted; the client writer is the
// last link. Features that look at or change responses (header rules now; cache, compression,
// sticky cookies, access logs later) are links that wrap the next one.
//
// Buffers: a chunk passed to onData may be pooled memory that the client writer gives back once it
// is flushed. A link that keeps a chunk past onData must take it with adoptBodyBuffer() first.
import type { Socket } from 'node:net';
import type { Tunnel } from '../server/tunnels';
import type { ProxyError } from './proxy-errors';

export interface ResponseHandler {
  /** A clean head (hop-by-hop headers removed). Returns false to pause until `resume` is called. */
  onHeaders(status: number, headers: string[], resume: () => void): boolean;
  /** Returns false to pause until `resume` is called. */
  onData(chunk: Buffer): boolean;
  onComplete(): void;
  /** Forwarding failed: before the head went out the client gets an error page, after it a cut. */
  onError(error: ProxyError): void;
  /** The upstream switched protocols (101): the tunnel, or null when the client is gone. */
  onUpgrade(status: number, headers: string[], upstream: Socket, head: Buffer): Tunnel | null;
}

/** A link that passes everything on unchanged; subclasses override what they care about. */
export abstract class ResponseHandlerWrapper implements ResponseHandler {
  constructor(protected readonly next: ResponseHandler) {}

  onHeaders(status: number, headers: string[], resume: () => void): boolean {
    return this.next.onHeaders(status, headers, resume);
  }

  onData(chunk: Buffer): boolean {
    return this.next.onData(chunk);
  }

  onComplete(): void {
    this.next.onComplete();
  }

  onError(error: ProxyError): void {
    this.next.onError(error);
  }

  onUpgrade(status: number, headers: string[], upstream: Socket, head: Buffer): Tunnel | null {
    return this.next.onUpgrade(status, headers, upstream, head);
  }
}
