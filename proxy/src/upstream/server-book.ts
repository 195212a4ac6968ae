// The one owner of upstream server state. Every record (state, counters, tunnels) lives here,
// keyed by upstream and server id, so it outlives reloads; observers (logs now; admin API,
// metrics, a multi-worker primary later) subscribe here.
import type { OverrideDropped, ServerOverride } from './server-override';
import { ServerRecord, type StateChange, type StateObserver } from './server-state';
import { RouteStats } from './server-stats';
import { LearnTable } from './sticky/learn-table';

export class ServerBook {
  private readonly records = new Map<string, ServerRecord>();
  private readonly routes = new Map<string, RouteStats>();
  private readonly learned = new Map<string, LearnTable>();
  private readonly observers: StateObserver[] = [];
  /** Admin API changes by upstream, then server id (see server-override.ts). */
  private readonly overrides = new Map<string, Map<string, ServerOverride>>();
  private readonly overrideObservers: ((dropped: OverrideDropped) => void)[] = [];
  private readonly notify = (change: StateChange) => {
    for (const observer of this.observers) observer(change);
  };

  observe(observer: StateObserver): () => void {
    return subscribe(this.observers, observer);
  }

  /** The record of a server, created on first use; `weight` refreshes its configured weight. */
  record(upstream: string, id: string, weight: number): ServerRecord {
    const key = recordKey(upstream, id);
    let record = this.records.get(key);
    if (record === undefined) {
      record = new ServerRecord(upstream, id, weight, this.notify);
      this.records.set(key, record);
    } else {
      record.setWeight(weight);
    }
    return record;
  }

  /** The record of a server, if the book has one (no record is created). */
  find(upstream: string, id: string): ServerRecord | undefined {
    return this.records.get(recordKey(upstream, id));
  }

  /** Drops the records of servers no config names any more (once nothing is in flight on them). */
  keepOnly(live: ReadonlySet<ServerRecord>): void {
    for (const [key, record] of this.records) {
      if (!live.has(record) && record.active === 0 && record.tunnels.size === 0) {
        record.stopSlowStart();
        this.records.delete(key);
      }
    }
  }

  /** The counters of a route, by name, created on first use. */
  routeStats(name: string): RouteStats {
    let stats = this.routes.get(name);
    if (stats === undefined) {
      stats = new RouteStats();
      this.routes.set(name, stats);
    }
    return stats;
  }

  /** sticky learn's table of an upstream, by name, created on first use; a reload may change its limits. */
  learnTable(upstream: string, timeout: number, maxEntries: number): LearnTable {
    let table = this.learned.get(upstream);
    if (table === undefined) {
      table = new LearnTable(timeout, maxEntries);
      this.learned.set(upstream, table);
    } else {
      table.configure(timeout, maxEntries);
    }
    return table;
  }

  allRouteStats(): [name: string, stats: RouteStats][] {
    return [...this.routes];
  }

  override(upstream: string, id: string): ServerOverride | undefined {
    return this.overrides.get(upstream)?.get(id);
  }

  overridesOf(upstream: string): [id: string, override: ServerOverride][] {
    return [...(this.overrides.get(upstream) ?? [])];
  }

  setOverride(upstream: string, id: string, override: ServerOverride): void {
    let byId = this.overrides.get(upstream);
    if (byId === undefined) this.overrides.set(upstream, (byId = new Map()));
    byId.set(id, override);
  }

  /** Forgets an override; with a `reason`, observers hear of it (the config file won). */
  dropOverride(upstream: string, id: string, reason?: string): void {
    const byId = this.overrides.get(upstream);
    if (!byId?.delete(id)) return;
    if (byId.size === 0) this.overrides.delete(upstream);
    if (reason !== undefined) for (const observer of this.overrideObservers) observer({ upstream, server: id, reason });
  }

  /** Drops the overrides of upstreams the config no longer has. */
  keepOverridesOf(upstreams: ReadonlySet<string>): void {
    for (const [upstream, byId] of this.overrides) {
      if (!upstreams.has(upstream)) for (const id of [...byId.keys()]) this.dropOverride(upstream, id, 'the config file no longer has this upstream');
    }
  }

  observeOverrides(observer: (dropped: OverrideDropped) => void): () => void {
    return subscribe(this.overrideObservers, observer);
  }

  all(): ServerRecord[] {
    return [...this.records.values()];
  }
}

const recordKey = (upstream: string, id: string) => `${upstream}\0${id}`;

/** Adds `observer` to `list`; the function returned removes it. */
function subscribe<T>(list: T[], observer: T): () => void {
  list.push(observer);
  return () => {
    const i = list.indexOf(observer);
    if (i !== -1) list.splice(i, 1);
  };
}
