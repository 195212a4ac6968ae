// The last link of the response chain: writes the answer to the client's Downstream with
// backpressure, the send timeout (NGINX send_timeout), and the held-body fast path.
import type { Socket } from 'node:net';
import type { Downstream, DownstreamDrainListener } from '../downstream/downstream';
import type { Tunnel } from '../server/tunnels';
import { isRecyclable } from '../upstream/h1/body-buffers';
import type { ProxyError } from './proxy-errors';
import type { ResponseHandler } from './response-handler';

/** Bodies up to this size are held and written to the client with the head in one write (measured: +22% rps). */
const HOLD_LIMIT = 1024 * 1024;

/** A link that holds resources until its response ends (compression's zlib stream). */
export interface ClientGoneListener {
  clientGone(): void;
}

export class ClientWriter implements ResponseHandler, DownstreamDrainListener {
  /** The body is held until its end and written whole (known length up to HOLD_LIMIT). */
  private holding = false;
  /** The body chunk held back; an earlier one, if the body came in pieces, is already in the corked socket. */
  private held: Buffer | null = null;
  private resume: (() => void) | null = null;
  private sendTimer: NodeJS.Timeout | null = null;
  private awaitingDrain = false;
  /** Links told when the client leaves; null (nothing allocated) when no link asked. */
  private goneListeners: ClientGoneListener[] | null = null;

  constructor(
    private readonly ds: Downstream,
    private readonly sendTimeout: number,
  ) {}

  onHeaders(status: number, headers: string[], resume: () => void): boolean {
    this.resume = resume;
    this.ds.writeHead(status, headers);
    const length = contentLength(headers);
    this.holding = length > 0 && length <= HOLD_LIMIT;
    return true;
  }

  /**
   * The rest of the body comes whole in one onData, then onComplete (a link that compressed a
   * whole body, whose head has no length): it is held and written with end(), in one write with
   * the head and the chunked framing.
   */
  holdWhole(): void {
    this.holding = true;
  }

  onData(chunk: Buffer): boolean {
    const ds = this.ds;
    // A held body (the upstream client hands a known-length body up to 1 MiB over whole) is
    // written with the head by end(), in one syscall. Should it come in pieces, the earlier ones
    // wait in the corked socket, and write()'s "buffer full" answer is ignored: the bound is HOLD_LIMIT.
    if (this.holding) {
      if (this.held !== null) {
        ds.cork();
        ds.write(this.held);
      }
      this.held = chunk;
      return true;
    }
    if (ds.write(chunk)) return true;
    if (!this.awaitingDrain) {
      this.awaitingDrain = true;
      ds.awaitDrain(this);
      if (this.sendTimeout > 0) this.sendTimer = setTimeout(onSendTimeout, this.sendTimeout, this);
    }
    return false;
  }

  onComplete(): void {
    // The resume function belongs to the upstream connection, which may already carry the next
    // request: a drain after this must not resume that one.
    this.resume = null;
    const held = this.held;
    this.held = null;
    // end() with data writes the head, the corked pieces and this chunk together, then uncorks.
    this.ds.end(held, held !== null && isRecyclable(held));
  }

  onError(error: ProxyError): void {
    this.resume = null;
    this.clearSendTimer();
    if (this.ds.headersSent) this.ds.abort();
    else this.ds.fail(error.status, error.code);
  }

  onUpgrade(status: number, headers: string[], upstream: Socket, head: Buffer): Tunnel | null {
    return this.ds.upgrade(status, headers, upstream, head);
  }

  downstreamDrained(): void {
    this.awaitingDrain = false;
    this.clearSendTimer();
    this.resume?.();
  }

  /** The client went away: nothing more is written. */
  clientGone(): void {
    this.resume = null;
    this.clearSendTimer();
    const listeners = this.goneListeners;
    this.goneListeners = null;
    if (listeners !== null) for (const listener of listeners) listener.clientGone();
  }

  /** `listener` hears clientGone(): a link above this writer that must free what it holds. */
  watchClientGone(listener: ClientGoneListener): void {
    (this.goneListeners ??= []).push(listener);
  }

  sendTimedOut(): void {
    this.sendTimer = null;
    // A reset reaches a client that stopped reading, where a FIN would wait behind the data it
    // does not read. The upstream side is released when the downstream reports the close.
    this.ds.reset();
  }

  private clearSendTimer(): void {
    if (this.sendTimer !== null) {
      clearTimeout(this.sendTimer);
      this.sendTimer = null;
    }
  }
}

function onSendTimeout(writer: ClientWriter): void {
  writer.sendTimedOut();
}

/** Content-Length of a clean head, or -1. */
function contentLength(headers: string[]): number {
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i];
    if (name.length === 14 && name.toLowerCase() === 'content-length') return Number(headers[i + 1]);
  }
  return -1;
}
