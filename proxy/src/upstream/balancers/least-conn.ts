import { isCandidate, type Balancer, type PickContext } from '../balancer';
import type { UpstreamServer } from '../upstream-server';
import { RoundRobinBalancer } from './round-robin';

/** Fewest active requests per unit of weight; ties go round robin among the tied, as in NGINX. */
export class LeastConnBalancer implements Balancer {
  private readonly tieBreaker = new RoundRobinBalancer();
  private readonly tied: UpstreamServer[] = [];

  pick(servers: readonly UpstreamServer[], ctx: PickContext): UpstreamServer | null {
    const tied = this.tied;
    tied.length = 0;
    let bestLoad = Infinity;
    for (let i = 0; i < servers.length; i++) {
      const s = servers[i];
      if (!isCandidate(s, ctx)) continue;
      const load = s.active / s.weight;
      if (load < bestLoad) {
        bestLoad = load;
        tied.length = 0;
        tied.push(s);
      } else if (load === bestLoad) {
        tied.push(s);
      }
    }
    if (tied.length <= 1) return tied[0] ?? null;
    return this.tieBreaker.pick(tied, ctx);
  }
}
