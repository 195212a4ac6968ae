import { isCandidate, type Balancer, type PickContext } from '../balancer';
import type { UpstreamServer } from '../upstream-server';

/**
 * NGINX's smooth weighted round robin: every candidate gains its weight, the highest is picked and
 * loses the total. Weights 5:1:1 give a,a,b,a,c,a,a rather than a,a,a,a,a,b,c.
 */
export class RoundRobinBalancer implements Balancer {
  pick(servers: readonly UpstreamServer[], ctx: PickContext): UpstreamServer | null {
    let best: UpstreamServer | null = null;
    let total = 0;
    for (let i = 0; i < servers.length; i++) {
      const s = servers[i];
      if (!isCandidate(s, ctx)) continue;
      s.currentWeight += s.weight;
      total += s.weight;
      if (best === null || s.currentWeight > best.currentWeight) best = s;
    }
    if (best) best.currentWeight -= total;
    return best;
  }
}
