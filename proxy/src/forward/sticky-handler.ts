// The response link of a sticky upstream whose method looks at answers (cookie: set the cookie
// when the client lacks a valid one for the server that answered; learn: learn the app's session
// cookie). Dispatch tells it which server answered before the head arrives. Upstreams without
// sticky, or with sticky route, get no link: nothing is allocated or called for them.
import type { Socket } from 'node:net';
import type { Tunnel } from '../server/tunnels';
import type { TemplateContext } from '../template';
import type { StickyPolicy } from '../upstream/sticky/sticky-policy';
import type { Upstream } from '../upstream/upstream';
import type { UpstreamServer } from '../upstream/upstream-server';
import { ResponseHandlerWrapper, type ResponseHandler } from './response-handler';

export class StickyHandler extends ResponseHandlerWrapper {
  private server: UpstreamServer | null = null;
  /** The client presented a valid sticky value for `server`. */
  private presented = false;

  constructor(
    next: ResponseHandler,
    private readonly policy: StickyPolicy,
    private readonly upstream: Upstream,
    private readonly request: TemplateContext,
  ) {
    super(next);
  }

  /** The server whose answer comes next (the accepted attempt's). */
  answeredBy(server: UpstreamServer, presented: boolean): void {
    this.server = server;
    this.presented = presented;
  }

  onHeaders(status: number, headers: string[], resume: () => void): boolean {
    if (this.server !== null) this.policy.onAnswer(this.request, this.server, this.upstream.servers, headers, this.presented);
    return this.next.onHeaders(status, headers, resume);
  }

  /** The cookie may ride on the 101 too (a client whose first request is the upgrade). */
  onUpgrade(status: number, headers: string[], upstream: Socket, head: Buffer): Tunnel | null {
    if (this.server !== null) this.policy.onAnswer(this.request, this.server, this.upstream.servers, headers, this.presented);
    return this.next.onUpgrade(status, headers, upstream, head);
  }
}

/** The link for `upstream`'s sticky method, or null when it needs none (off, or route). */
export function stickyLink(upstream: Upstream, next: ResponseHandler, request: TemplateContext): StickyHandler | null {
  const policy = upstream.sticky;
  return policy === null || !policy.watchesAnswers ? null : new StickyHandler(next, policy, upstream, request);
}
