// One upstream server at run time: its counters (in-flight requests, passive failures) and its
// connection pool. Thresholds come from config; balancers only ask `isAvailable`.
import type { H1PoolOptions } from './h1/h1-pool';
import type { UpstreamClient } from './h1/upstream-handler';
import { createUpstreamClient } from './upstream-client';
import type { ResolvedServer } from '../config/resolved';

export class UpstreamServer {
  /** Requests claimed and not yet finished (least-conn, maxConns). */
  active = 0;
  /** Passive health: failures counted since `firstFailAt`, and when the server may be tried again. */
  fails = 0;
  firstFailAt = 0;
  unavailableUntil = 0;
  /** Smooth weighted round robin's running weight (NGINX's `current_weight`). */
  currentWeight = 0;
  readonly pool: UpstreamClient;

  constructor(
    public config: ResolvedServer,
    poolOptions: H1PoolOptions,
    /** NGINX ignores max_fails for a single-server upstream: it is never marked unavailable. */
    private readonly passive: boolean,
  ) {
    this.pool = createUpstreamClient(config.host, config.port, poolOptions);
  }

  get id(): string {
    return this.config.id;
  }

  get weight(): number {
    return this.config.weight;
  }

  isAvailable(now: number): boolean {
    const c = this.config;
    return !c.down && now >= this.unavailableUntil && (c.maxConns === 0 || this.active < c.maxConns);
  }

  /** Counts a failure; returns true when this one made the server unavailable. */
  recordFailure(now: number): boolean {
    const { maxFails, failTimeout } = this.config;
    if (!this.passive || maxFails === 0) return false;
    if (now - this.firstFailAt > failTimeout) {
      this.fails = 0;
      this.firstFailAt = now;
    }
    this.fails++;
    if (this.fails < maxFails) return false;
    this.unavailableUntil = now + failTimeout;
    this.fails = 0;
    return true;
  }

  recordSuccess(): void {
    if (this.fails !== 0) this.fails = 0;
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  destroy(): Promise<void> {
    return this.pool.destroy();
  }
}
