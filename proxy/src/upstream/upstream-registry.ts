// Builds the run-time upstreams from config. On reload, a server that is still configured (same
// upstream, same id and address) keeps its connection pool and counters; removed ones are closed
// once their in-flight requests finish.
import type { ResolvedConfig } from '../config/resolved';
import { Upstream } from './upstream';
import { UpstreamServer } from './upstream-server';

export class UpstreamRegistry {
  private constructor(readonly upstreams: Map<string, Upstream>) {}

  static build(config: ResolvedConfig, previous?: UpstreamRegistry): UpstreamRegistry {
    const upstreams = new Map<string, Upstream>();
    for (const [name, u] of config.upstreams) {
      const passive = u.servers.length > 1;
      const servers = u.servers.map((s) => {
        const old = previous?.upstreams.get(name)?.servers.find((o) => o.id === s.id && o.config.address === s.address);
        if (old) {
          old.config = s;
          return old;
        }
        return new UpstreamServer(s, { connectTimeout: config.timeouts.connect, keepAliveTimeout: u.keepalive.timeout }, passive);
      });
      upstreams.set(name, new Upstream(u, servers));
    }
    return new UpstreamRegistry(upstreams);
  }

  get(name: string): Upstream {
    const upstream = this.upstreams.get(name);
    if (!upstream) throw new Error(`no upstream ${name}`);
    return upstream;
  }

  allServers(): UpstreamServer[] {
    return [...this.upstreams.values()].flatMap((u) => u.servers);
  }

  /** Closes the pools of servers that `next` no longer uses (graceful: pending requests finish). */
  async retire(next: UpstreamRegistry | null): Promise<void> {
    const kept = new Set(next?.allServers() ?? []);
    await Promise.all(this.allServers().filter((s) => !kept.has(s)).map((s) => s.close()));
  }
}
