// A balancer answers one question: which of these servers takes the next request?
// It only considers servers for which `candidate` says yes (available, not already tried).
import type { TemplateContext } from '../template';
import type { UpstreamServer } from './upstream-server';

export interface PickContext {
  now: number;
  /** The hash input for ip-hash and hash; '' when the method needs none. */
  key: string;
  /** Servers already tried by this request (retries never pick them again). */
  tried: readonly UpstreamServer[];
  /** The request, for a sticky upstream's binding (cookie, route, learned session). */
  request?: TemplateContext;
  /** Set by claim: the server a valid sticky value named (whatever its state), else null. */
  bound?: UpstreamServer | null;
}

export interface Balancer {
  pick(servers: readonly UpstreamServer[], ctx: PickContext): UpstreamServer | null;
}

export function isCandidate(server: UpstreamServer, ctx: PickContext): boolean {
  return server.isAvailable(ctx.now) && (ctx.tried.length === 0 || !ctx.tried.includes(server));
}
