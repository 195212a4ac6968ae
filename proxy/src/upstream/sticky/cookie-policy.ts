// sticky cookie: the proxy's own cookie names the server by an HMAC token (server-tokens.ts). A
// client that did not present a valid cookie for the server that answered (a first visit, a
// forged or stale cookie, a move after its server left) gets one with the answer.
import type { ResolvedStickyCookie } from '../../config/resolved';
import type { TemplateContext } from '../../template';
import type { UpstreamServer } from '../upstream-server';
import { cookieHeader, cookieValues } from './request-cookies';
import { ServerTokens } from './server-tokens';
import { formatStickyCookie } from './set-cookie';
import type { StickyPolicy } from './sticky-policy';

export class CookiePolicy implements StickyPolicy {
  readonly watchesAnswers = true;
  private readonly tokens: ServerTokens;

  constructor(private readonly config: ResolvedStickyCookie) {
    this.tokens = new ServerTokens(config.key, (token) => formatStickyCookie(config, token));
  }

  find(request: TemplateContext, servers: readonly UpstreamServer[]): UpstreamServer | null {
    const values = cookieValues(cookieHeader(request), this.config.name);
    return values.length === 0 ? null : this.tokens.find(values, servers);
  }

  onAnswer(request: TemplateContext, server: UpstreamServer, servers: readonly UpstreamServer[], headers: string[], presented: boolean): void {
    if (presented) return; // find() already checked this cookie: no second parse and HMAC compare
    const values = cookieValues(cookieHeader(request), this.config.name);
    if (values.length !== 0 && this.tokens.presents(values, server, servers)) return;
    const setCookie = this.tokens.setCookieFor(server, servers);
    if (setCookie !== null) headers.push('Set-Cookie', setCookie);
  }
}
