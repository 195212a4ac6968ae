// What the proxy knows about one client request, shared by routing, balancing and templates.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { TemplateContext } from './template';

export class RequestContext implements TemplateContext {
  /** The real client address (X-Forwarded-For from a trusted proxy, else the peer); set by forwarding. */
  remoteAddr: string;

  constructor(
    readonly req: IncomingMessage,
    readonly scheme: string,
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

  get headers(): IncomingHttpHeaders {
    return this.req.headers;
  }
}
