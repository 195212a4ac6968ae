// A request read by the native HTTP/1.1 server (raw-connection.ts): its head as parsed, and its
// body handed to whoever pipes it, with backpressure. Until a pipe takes the body, up to
// MAX_UNPIPED_BODY bytes wait here; past that the connection stops reading the socket (the client
// waits, as it would on a full TCP window). resume() drops the rest of the body, as node:http's
// IncomingMessage#resume does for a body nobody reads, so the next request on the connection can
// be read.
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import type { H1Request } from './h1-exchange';
import { headersObject } from './headers-object';

/** Body bytes kept for a request nobody reads yet before the connection stops reading. */
export const MAX_UNPIPED_BODY = 64 * 1024;

/** The connection reading this request, told when the body's appetite changes. */
export interface BodyReader {
  bodyAppetiteChanged(): void;
}

const kRequest = Symbol('portico.rawRequest');
type Destination = Writable & { [kRequest]?: RawRequest };

export class RawRequest implements H1Request {
  complete = false;
  private headersCache: IncomingHttpHeaders | null = null;
  private pending: Buffer[] | null = null;
  private pendingBytes = 0;
  private destination: Destination | null = null;
  /** The destination asked to wait ('drain' pending). */
  private held = false;
  private discarding = false;

  constructor(
    private readonly reader: BodyReader,
    readonly socket: Socket,
    readonly method: string,
    readonly url: string,
    readonly httpVersionMajor: number,
    readonly httpVersionMinor: number,
    readonly rawHeaders: string[],
  ) {}

  get headers(): IncomingHttpHeaders {
    return (this.headersCache ??= headersObject(this.rawHeaders));
  }

  get readableFlowing(): boolean | null {
    return this.destination === null ? null : !this.held;
  }

  /** Whether the connection should go on reading this request's body from the socket. */
  get wantsBody(): boolean {
    if (this.discarding || this.complete) return true;
    return this.destination === null ? this.pendingBytes <= MAX_UNPIPED_BODY : !this.held;
  }

  pipe<T extends Writable>(destination: T): T {
    if (this.discarding || this.destination !== null) return destination;
    const d = destination as Destination;
    this.destination = d;
    d[kRequest] = this;
    const pending = this.pending;
    this.pending = null;
    this.pendingBytes = 0;
    if (pending !== null) for (const chunk of pending) this.writeOut(chunk);
    if (this.complete) d.end();
    // Reading may have stopped on the bytes that waited: the destination decides from now on.
    else if (!this.held) this.reader.bodyAppetiteChanged();
    return destination;
  }

  unpipe(destination?: Writable): this {
    const d = this.destination;
    if (d !== null && (destination === undefined || destination === d)) {
      d.off('drain', onDestinationDrain);
      d[kRequest] = undefined;
      this.destination = null;
      this.held = false;
      this.reader.bodyAppetiteChanged();
    }
    return this;
  }

  resume(): this {
    if (this.discarding) return this;
    this.unpipe();
    this.discarding = true;
    this.pending = null;
    this.pendingBytes = 0;
    this.reader.bodyAppetiteChanged();
    return this;
  }

  // ---- from the connection ----

  pushBody(chunk: Buffer): void {
    if (this.discarding) return;
    if (this.destination !== null) this.writeOut(chunk);
    else {
      (this.pending ??= []).push(chunk);
      this.pendingBytes += chunk.length;
    }
  }

  endBody(): void {
    this.complete = true;
    this.destination?.end();
  }

  /**
   * The body cannot be read whole (malformed, or the client went away): the destination is
   * destroyed without an error, as H1Downstream does when the client goes (a pipe forwards no
   * errors, and nobody may be listening for one).
   */
  failBody(): void {
    const d = this.destination;
    this.pending = null;
    this.discarding = true;
    if (d !== null && !this.complete) d.destroy();
  }

  private writeOut(chunk: Buffer): void {
    const d = this.destination!;
    if (!d.write(chunk) && !this.held) {
      this.held = true;
      d.once('drain', onDestinationDrain);
    }
  }

  /** @internal */
  drained(): void {
    this.held = false;
    this.reader.bodyAppetiteChanged();
  }
}

function onDestinationDrain(this: Destination): void {
  this[kRequest]?.drained();
}
