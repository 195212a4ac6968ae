// What the proxy uses of an HTTP/1.1 request and its response, whichever server read it: node:http's
// IncomingMessage / ServerResponse satisfy these as they are, and so do the native server's
// RawRequest / RawResponse (raw-request.ts, raw-response.ts). Nothing above the listeners reads more.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';

export interface H1Request {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly httpVersionMajor: number;
  readonly httpVersionMinor: number;
  readonly rawHeaders: string[];
  readonly headers: IncomingHttpHeaders;
  readonly socket: Socket;
  /** The whole body arrived. */
  readonly complete: boolean;
  /** false while a pipe holds the body back (backpressure). */
  readonly readableFlowing: boolean | null;
  pipe<T extends Writable>(destination: T): T;
  unpipe(destination?: Writable): unknown;
  /** Reads and drops the rest of the body. */
  resume(): unknown;
}

export interface H1Response {
  readonly headersSent: boolean;
  readonly writableEnded: boolean;
  readonly writableFinished: boolean;
  readonly writableCorked: number;
  readonly socket: Socket | null;
  shouldKeepAlive: boolean;
  /** Throws (as node:http does) for an invalid status, reason, header name or value. */
  writeHead(status: number, headers?: OutgoingHttpHeaders | string[]): unknown;
  writeHead(status: number, reason: string, headers?: OutgoingHttpHeaders | string[]): unknown;
  write(chunk: Buffer | string): boolean;
  end(chunk?: Buffer | string): unknown;
  cork(): void;
  destroy(): unknown;
  on(event: 'close' | 'finish' | 'drain', listener: () => void): unknown;
  once(event: 'close' | 'finish' | 'drain', listener: () => void): unknown;
}
