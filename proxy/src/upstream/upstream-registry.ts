// Builds the run-time upstreams from config. Server state lives in the ServerBook, keyed by
// upstream and id, so it survives a reload. A server whose address and connection settings are
// unchanged keeps its UpstreamServer (and pool); any other change gets a new one (new pool, same
// record), and servers no longer used are closed once their in-flight requests finish. Admin API
// changes kept in the book (server-override.ts) are applied on top of the file's servers.
import type { ResolvedConfig, ResolvedServer, ResolvedUpstream } from '../config/resolved';
import type { H1PoolOptions } from './h1/h1-pool';
import { applyStartState } from './health/start-state';
import { ServerBook } from './server-book';
import { applyAdminState, releaseAdminState, serversWithOverrides } from './server-override';
import { Upstream } from './upstream';
import { UpstreamServer } from './upstream-server';

export class UpstreamRegistry {
  private constructor(
    readonly upstreams: Map<string, Upstream>,
    readonly book: ServerBook,
  ) {}

  static build(config: ResolvedConfig, previous?: UpstreamRegistry): UpstreamRegistry {
    const book = previous?.book ?? new ServerBook();
    book.keepOverridesOf(new Set(config.upstreams.keys()));
    const upstreams = new Map<string, Upstream>();
    for (const [name, u] of config.upstreams) {
      const { servers: wanted, released } = serversWithOverrides(name, u.servers, book);
      const passive = wanted.length > 1;
      const options = poolOptions(config, u);
      const old = previous?.upstreams.get(name)?.servers;
      const servers = wanted.map((s) => {
        const before = old?.find((o) => o.id === s.id)?.record.state ?? null;
        const same = old?.find((o) => reusable(o, s, options, passive));
        const server = same ?? new UpstreamServer(s, options, passive, book.record(name, s.id, s.weight));
        applyStartState(server.record, u.healthCheck, before);
        return server;
      });
      // After config `down` / `drain` (the constructor): an operator's state outlives the reload.
      for (const s of servers) {
        const state = book.override(name, s.id)?.state;
        if (state) applyAdminState(s.record, state, 'kept from an admin API change');
        else if (released.has(s.id)) releaseAdminState(s.record, s.config);
      }
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
