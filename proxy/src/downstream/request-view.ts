// What every HTTP/1.1 Downstream knows of its request, read from node:http's H1Request.
import type { IncomingHttpHeaders } from 'node:http';
import type { H1Request } from '../server/h1/h1-exchange';

export abstract class H1RequestView {
  /** The real client address (X-Forwarded-For from a trusted proxy, else the peer). */
  remoteAddr: string;
  /** $upstream_cache_status, set by the cache (declared here so every request keeps one shape). */
  cacheStatus: string | undefined = undefined;

  constructor(
    readonly req: H1Request,
    readonly scheme: string,
    /** The Host header as received, with any port. */
    readonly host: string,
    readonly peer: string,
  ) {
    this.remoteAddr = peer;
  }

  get method(): string {
    return this.req.method ?? 'GET';
  }

  get url(): string {
    return this.req.url ?? '/';
  }

  get rawHeaders(): readonly string[] {
    return this.req.rawHeaders;
  }

  get headers(): IncomingHttpHeaders {
    return this.req.headers;
  }
}
