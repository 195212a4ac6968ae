// sticky learn: the app's own session cookie (e.g. express-session's connect.sid). A Set-Cookie
// of that name in an answer binds its value to the server that sent it; a request presenting the
// value goes back there while the entry lives (learn-table.ts). A value whose server is gone or
// out of service is picked for as if unbound, and bound anew when the app sets the cookie again.
import type { ResolvedStickyLearn } from '../../config/resolved';
import type { TemplateContext } from '../../template';
import type { UpstreamServer } from '../upstream-server';
import type { LearnTable } from './learn-table';
import { cookieHeader, firstCookieValue } from './request-cookies';
import { setCookieValue } from './set-cookie';
import type { StickyPolicy } from './sticky-policy';

/** Longer values are neither learned nor looked up: the table's memory stays bounded by maxEntries. */
export const MAX_LEARNED_VALUE = 1024;

export class LearnPolicy implements StickyPolicy {
  readonly watchesAnswers = true;

  constructor(
    private readonly config: ResolvedStickyLearn,
    private readonly table: LearnTable,
  ) {}

  find(request: TemplateContext, servers: readonly UpstreamServer[], now: number): UpstreamServer | null {
    const value = firstCookieValue(cookieHeader(request), this.config.cookie);
    if (value === '' || value.length > MAX_LEARNED_VALUE) return null;
    const id = this.table.lookup(value, now);
    if (id === null) return null;
    for (let i = 0; i < servers.length; i++) if (servers[i].id === id) return servers[i];
    return null;
  }

  onAnswer(_request: TemplateContext, server: UpstreamServer, _servers: readonly UpstreamServer[], headers: string[]): void {
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i];
      if (name.length !== 10 || name.toLowerCase() !== 'set-cookie') continue;
      const value = setCookieValue(headers[i + 1], this.config.cookie);
      if (value !== null && value !== '' && value.length <= MAX_LEARNED_VALUE) this.table.learn(value, server.id, Date.now());
    }
  }
}
