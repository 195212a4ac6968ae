// One upstream server at run time: its config, its connection pool, and its record (state and
// counters, owned by the ServerBook so they outlive a reload). Thresholds come from config;
// balancers only ask `isAvailable`.
import type { ResolvedServer } from '../config/resolved';
import type { H1PoolOptions } from './h1/h1-pool';
import type { UpstreamClient } from './h1/upstream-handler';
import { ServerRecord } from './server-state';
import { createUpstreamClient } from './upstream-client';

export class UpstreamServer {
  readonly client: UpstreamClient;
  /** Smooth weighted round robin's running weight (NGINX's `current_weight`). */
  currentWeight = 0;

  constructor(
    readonly config: ResolvedServer,
    readonly poolOptions: H1PoolOptions,
    /** NGINX ignores max_fails for a single-server upstream: it is never marked unavailable. */
    readonly passive: boolean,
    readonly record: ServerRecord = new ServerRecord('', config.id, config.weight, () => undefined),
  ) {
    this.client = createUpstreamClient(config.host, config.port, poolOptions);
    record.slowStart = config.slowStart;
    if (config.down) record.transition('down', 'config', 'down in config');
    else if (config.drain) record.transition('draining', 'config', 'drain in config');
    else if (record.state === 'down') record.transition('up', 'config', 'no longer down in config');
    // A drain set by the admin API outlives a config that does not mention drain.
    else if (record.drainedBy === 'config') record.transition('up', 'config', 'no longer draining in config');
  }

  get id(): string {
    return this.config.id;
  }

  get weight(): number {
    return this.record.effectiveWeight;
  }

  /** Requests and tunnels claimed and not yet finished. */
  get active(): number {
    return this.record.active;
  }

  set active(n: number) {
    this.record.active = n;
    if (n === 0) this.record.settleDrain();
  }

  isAvailable(now: number): boolean {
    const maxConns = this.config.maxConns;
    return this.record.isInService(now) && (maxConns === 0 || this.record.active < maxConns);
  }

  /** Counts a passive failure; returns true when this one took the server out of service. */
  recordFailure(now: number, reason: string): boolean {
    const { maxFails, failTimeout } = this.config;
    const r = this.record;
    if (!this.passive || maxFails === 0 || r.state !== 'up') return false;
    if (now - r.firstFailAt > failTimeout) {
      r.fails = 0;
      r.firstFailAt = now;
    }
    r.fails++;
    if (r.fails < maxFails) return false;
    r.fails = 0;
    r.unavailableUntil = now + failTimeout;
    return r.transition('unavailable', 'passive', reason);
  }

  recordSuccess(): void {
    if (this.record.fails !== 0) this.record.fails = 0;
  }

  close(): Promise<void> {
    return this.client.close();
  }

  destroy(): Promise<void> {
    return this.client.destroy();
  }
}
