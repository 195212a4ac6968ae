// Builds the run-time upstreams from config. Server state lives in the ServerBook, keyed by
// upstream and id, so it survives a reload. A server whose address and connection settings are
// unchanged keeps its UpstreamServer (and pool); any other change gets a new one (new pool, same
// record), and servers no longer used are closed once their in-flight requests finish.
import type { ResolvedConfig, ResolvedServer, ResolvedUpstream } from '../config/resolved';
import type { H1PoolOptions } from './h1/h1-pool';
import { applyStartState } from './health/start-state';
import { ServerBook } from './server-book';
import { Upstream } from './upstream';
import { UpstreamServer } from './upstream-server';

export class UpstreamRegistry {
  private constructor(
    readonly upstreams: Map<string, Upstream>,
    readonly book: ServerBook,
  ) {}

  static build(config: ResolvedConfig, previous?: UpstreamRegistry): UpstreamRegistry {
    const book = previous?.book ?? new ServerBook();
    const upstreams = new Map<string, Upstream>();
    for (const [name, u] of config.upstreams) {
      const passive = u.servers.length > 1;
      const options = poolOptions(config, u);
      const old = previous?.upstreams.get(name)?.servers;
      const servers = u.servers.map((s) => {
        const before = old?.find((o) => o.id === s.id)?.record.state ?? null;
        const same = old?.find((o) => reusable(o, s, options, passive));
        const server = same ?? new UpstreamServer(s, options, passive, book.record(name, s.id, s.weight));
        applyStartState(server.record, u.healthCheck, before);
        return server;
      });
      upstreams.set(name, new Upstream(u, servers, book));
    }
    const live = new Set([...upstreams.values()].flatMap((u) => u.servers.map((s) => s.record)));
    book.keepOnly(live);
    return new UpstreamRegistry(upstreams, book);
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

function poolOptions(config: ResolvedConfig, u: ResolvedUpstream): H1PoolOptions {
  return { connectTimeout: config.timeouts.connect, keepAliveTimeout: u.keepalive.timeout, maxIdle: u.keepalive.connections };
}

/** The same server with the same settings: every field of its config and its pool options. */
function reusable(old: UpstreamServer, next: ResolvedServer, options: H1PoolOptions, passive: boolean): boolean {
  return (
    old.passive === passive &&
    JSON.stringify(old.config) === JSON.stringify(next) &&
    JSON.stringify(old.poolOptions) === JSON.stringify(options)
  );
}
