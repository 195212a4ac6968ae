// The Downstream of an HTTP/1.1 request (node:http). Event listeners are module-level functions
// that find the downstream through a symbol on the response: no closure per request.
import type { H1Request, H1Response } from '../server/h1/h1-exchange';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { PassThrough, type Readable } from 'node:stream';
import { sendError } from '../forward/error-page';
import { tcpSocketUnder } from '../net/tcp-under-tls';
import { recycleBodyBuffer } from '../upstream/h1/body-buffers';
import type { Downstream, DownstreamCloseListener, DownstreamDrainListener } from './downstream';
import { H1RequestView } from './request-view';

const kDownstream = Symbol('portico.downstream');
type Carrier = H1Response & { [kDownstream]?: H1Downstream };
/** The request in progress on a client socket (read by the idle sweeper instead of node internals). */
export const kCurrentRequest = Symbol('portico.currentRequest');
export type TrackedSocket = Socket & { [kCurrentRequest]?: H1Downstream };

export class H1Downstream extends H1RequestView implements Downstream {
  private body: PassThrough | null = null;
  private closeListener: DownstreamCloseListener | null = null;
  private drainListener: DownstreamDrainListener | null = null;
  /** The last chunk of a held body, recycled once flushed. */
  private flushed: Buffer | null = null;

  constructor(req: H1Request, readonly res: H1Response, scheme: string, host: string, peer: string) {
    super(req, scheme, host, peer);
    (res as Carrier)[kDownstream] = this;
    (req.socket as TrackedSocket)[kCurrentRequest] = this;
  }

  get bodyComplete(): boolean {
    return this.req.complete;
  }

  /** The client stopped sending because the proxy stopped reading (backpressure), not by itself. */
  get bodyHeldBack(): boolean {
    return this.body !== null && this.req.readableFlowing === false;
  }

  /** Whether the whole response was written (it may still wait in the socket's buffers). */
  get responseEnded(): boolean {
    return this.res.writableEnded;
  }

  /** Whether the response went out whole (the connection is then idle, between requests). */
  get responseFinished(): boolean {
    return this.res.writableFinished;
  }

  openBody(): Readable {
    if (this.body === null) {
      this.body = new PassThrough();
      this.req.pipe(this.body);
    }
    return this.body;
  }

  discardBody(): void {
    const body = this.body;
    if (body !== null) {
      this.req.unpipe(body);
      body.destroy();
    }
    if (!this.req.complete) this.req.resume(); // read and drop the rest, so keep-alive survives
  }

  get headersSent(): boolean {
    return this.res.headersSent;
  }

  writeHead(status: number, headers: string[]): void {
    this.res.writeHead(status, headers);
  }

  write(chunk: Buffer): boolean {
    return this.res.write(chunk);
  }

  cork(): void {
    if (this.res.writableCorked === 0) this.res.cork();
  }

  end(last: Buffer | null, recycle: boolean): void {
    if (last === null) this.res.end();
    else if (!recycle) this.res.end(last); // no 'finish' listener per response for memory nobody reuses
    else {
      this.flushed = last;
      // A 'finish' listener, not end()'s callback: listeners are called with the emitter as
      // `this` (documented), end()'s callback is not on Node 24 and later.
      this.res.once('finish', onFlushed);
      this.res.end(last);
    }
  }

  awaitDrain(listener: DownstreamDrainListener): void {
    this.drainListener = listener;
    this.res.once('drain', onDrain);
  }

  fail(status: number, code: string): void {
    if (this.body !== null) this.discardBody();
    sendError(this.req, this.res, status, code);
  }

  abort(): void {
    this.res.destroy();
  }

  reset(): void {
    const socket = this.res.socket;
    if (socket === null || socket.destroyed) this.res.destroy();
    else if (!(socket as { encrypted?: boolean }).encrypted) socket.resetAndDestroy();
    else {
      // resetAndDestroy() throws on a TLS socket (its handle is a TLSWrap, not a TCP handle): the
      // reset goes to the TCP socket under it, and the TLS socket is destroyed with it.
      const tcp = tcpSocketUnder(socket as TLSSocket);
      if (tcp !== null && !tcp.destroyed) {
        try {
          tcp.resetAndDestroy();
        } catch {
          // not a TCP handle either: destroyed below
        }
      }
      socket.destroy();
    }
  }

  onClose(listener: DownstreamCloseListener): void {
    if (this.closeListener === null) this.res.on('close', onClose);
    this.closeListener = listener;
  }

  upgrade(): null {
    return null;
  }

  // ---- events ----

  closed(): void {
    this.body?.destroy();
    this.closeListener?.downstreamClosed();
  }

  drained(): void {
    const listener = this.drainListener;
    this.drainListener = null;
    listener?.downstreamDrained();
  }

  bodyFlushed(): void {
    if (this.flushed !== null) recycleBodyBuffer(this.flushed);
    this.flushed = null;
  }
}

function onClose(this: Carrier): void {
  this[kDownstream]?.closed();
}

function onDrain(this: Carrier): void {
  this[kDownstream]?.drained();
}

function onFlushed(this: Carrier): void {
  this[kDownstream]?.bodyFlushed();
}
