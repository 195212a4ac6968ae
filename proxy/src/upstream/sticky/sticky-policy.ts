// Session persistence (NGINX Plus `sticky`) as one small interface, one class per method:
// cookie (the proxy's own signed cookie), route (a route id the client carries), learn (the
// app's own session cookie, learned from its Set-Cookie). The upstream asks `find` before its
// balancer; the response link (forward/sticky-handler.ts) calls `onAnswer` with the server that
// answered. An upstream without sticky has no policy at all: nothing runs per request.
import type { ResolvedSticky } from '../../config/resolved';
import type { TemplateContext } from '../../template';
import type { ServerBook } from '../server-book';
import type { UpstreamServer } from '../upstream-server';
import { CookiePolicy } from './cookie-policy';
import { LearnPolicy } from './learn-policy';
import { RoutePolicy } from './route-policy';

export interface StickyPolicy {
  /** The server the request is bound to, whatever its state; null when it names none of `servers`. */
  find(request: TemplateContext, servers: readonly UpstreamServer[], now: number): UpstreamServer | null;
  /** Whether answers must be seen (a link in the response chain): cookie and learn yes, route no. */
  readonly watchesAnswers: boolean;
  /** The head of the answer `server` gave to `request`; may append headers to `headers`. */
  /** `presented`: the request's sticky value already named `server` (found by `find`). */
  onAnswer(request: TemplateContext, server: UpstreamServer, servers: readonly UpstreamServer[], headers: string[], presented: boolean): void;
}

export function createStickyPolicy(config: ResolvedSticky, upstream: string, book: ServerBook): StickyPolicy {
  switch (config.kind) {
    case 'cookie':
      return new CookiePolicy(config);
    case 'route':
      return new RoutePolicy(config);
    case 'learn':
      return new LearnPolicy(config, book.learnTable(upstream, config.timeout, config.maxEntries));
  }
}

/**
 * Whether a bound client may be sent to its server now: in service, or draining (bound clients
 * still reach a draining server, NGINX Plus drain), and below maxConns. Down, unavailable,
 * checking and unhealthy servers are not: the client is picked for as if unbound.
 */
export function takesBoundClient(server: UpstreamServer, now: number): boolean {
  const record = server.record;
  if (record.state !== 'draining' && !record.isInService(now)) return false;
  const maxConns = server.config.maxConns;
  return maxConns === 0 || record.active < maxConns;
}
