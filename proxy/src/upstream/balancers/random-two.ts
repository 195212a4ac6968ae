import { isCandidate, type Balancer, type PickContext } from '../balancer';
import type { UpstreamServer } from '../upstream-server';

/**
 * "Power of two choices" (NGINX `random two least_conn`): two distinct candidates drawn at random in
 * proportion to weight, and the one with fewer active requests per weight wins.
 */
export class RandomTwoBalancer implements Balancer {
  private readonly candidates: UpstreamServer[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  pick(servers: readonly UpstreamServer[], ctx: PickContext): UpstreamServer | null {
    const list = this.candidates;
    list.length = 0;
    let total = 0;
    for (let i = 0; i < servers.length; i++) {
      if (isCandidate(servers[i], ctx)) {
        list.push(servers[i]);
        total += servers[i].weight;
      }
    }
    if (list.length <= 1) return list[0] ?? null;
    const a = this.draw(list, total, null);
    const b = this.draw(list, total - a.weight, a);
    return b.active / b.weight < a.active / a.weight ? b : a;
  }

  private draw(list: UpstreamServer[], total: number, skip: UpstreamServer | null): UpstreamServer {
    let point = this.random() * total;
    for (const s of list) {
      if (s === skip) continue;
      point -= s.weight;
      if (point < 0) return s;
    }
    return list[list.length - 1] === skip ? list[list.length - 2] : list[list.length - 1];
  }
}
