// The request of a background update (proxy_cache_background_update): the client's GET again, with
// nobody to answer. Forwarding sees a Downstream like any other; what it writes is dropped.
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { Downstream, DownstreamCloseListener, DownstreamDrainListener } from '../downstream/downstream';
import type { Tunnel } from '../server/tunnels';

export class BackgroundRequest implements Downstream {
  readonly method = 'GET';
  readonly scheme: string;
  readonly host: string;
  readonly url: string;
  readonly peer: string;
  remoteAddr: string;
  readonly rawHeaders: readonly string[];
  cacheStatus: string | undefined = undefined;
  headersSent = false;
  readonly bodyComplete = true;
  private readonly source: Downstream;

  constructor(client: Downstream) {
    this.source = client;
    this.scheme = client.scheme;
    this.host = client.host;
    this.url = client.url;
    this.peer = client.peer;
    this.remoteAddr = client.remoteAddr;
    this.rawHeaders = client.rawHeaders;
  }

  get headers(): IncomingHttpHeaders {
    return this.source.headers;
  }

  openBody(): Readable {
    return Readable.from([]);
  }

  discardBody(): void {}

  writeHead(): void {
    this.headersSent = true;
  }

  write(): boolean {
    return true;
  }

  cork(): void {}

  end(): void {}

  awaitDrain(_listener: DownstreamDrainListener): void {}

  fail(): void {}

  abort(): void {}

  reset(): void {}

  onClose(_listener: DownstreamCloseListener): void {}

  upgrade(_status: number, _headers: string[], _upstream: Socket, _head: Buffer): Tunnel | null {
    return null;
  }
}
