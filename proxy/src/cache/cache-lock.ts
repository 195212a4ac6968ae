// proxy_cache_lock: while one request fills (or updates) a key, others for that key wait for it
// instead of going upstream too; after proxy_cache_lock_timeout they go upstream and their answers
// are not stored (as NGINX). The same mark tells "an update is in progress" for expired entries
// (proxy_cache_use_stale updating). One lock table per zone, so routes sharing a zone share locks;
// the table lives as long as the zone (kept across reloads).
import type { CacheZone } from './cache-types';

/** A request waiting on a key. */
export interface LockWaiter {
  /** The holder finished (stored or not): look up again. */
  lockReleased(): void;
  /** lockTimeout passed: go upstream without storing. */
  lockTimedOut(): void;
}

/** One holding of a key; the holder releases with it (a replaced holder's late release is a no-op). */
export class LockHold {
  waiters: LockWaiter[] = [];
  timer: NodeJS.Timeout | null = null;
  readonly since = Date.now();

  constructor(
    readonly lock: CacheLock,
    readonly key: string,
  ) {}

  release(): void {
    this.lock.release(this);
  }
}

export class CacheLock {
  private readonly held = new Map<string, LockHold>();

  /**
   * Takes the lock on `key`; null when someone holds it. A holding older than `maxAge` ms is
   * presumed lost and replaced (NGINX proxy_cache_lock_age), so a key never stays locked.
   */
  acquire(key: string, maxAge: number): LockHold | null {
    const h = this.held.get(key);
    if (h !== undefined) {
      if (Date.now() - h.since < maxAge) return null;
      this.release(h);
    }
    const hold = new LockHold(this, key);
    this.held.set(key, hold);
    return hold;
  }

  isHeld(key: string): boolean {
    return this.held.has(key);
  }

  /** Waits for the holder of `key`; false when the key is not held (acquire it instead). */
  wait(key: string, waiter: LockWaiter, timeout: number): boolean {
    const h = this.held.get(key);
    if (h === undefined) return false;
    h.waiters.push(waiter);
    // One timer per key, from the first waiter: waiters that came later wait less, never longer.
    if (h.timer === null) h.timer = setTimeout(timedOut, timeout, h).unref();
    return true;
  }

  /** A waiter left (its client went away). */
  leave(key: string, waiter: LockWaiter): void {
    const h = this.held.get(key);
    if (h === undefined) return;
    const i = h.waiters.indexOf(waiter);
    if (i !== -1) h.waiters.splice(i, 1);
  }

  /** The holder is done: every waiter looks up again. */
  release(hold: LockHold): void {
    if (this.held.get(hold.key) !== hold) return;
    this.held.delete(hold.key);
    if (hold.timer !== null) clearTimeout(hold.timer);
    const waiters = hold.waiters;
    hold.waiters = [];
    for (const w of waiters) w.lockReleased();
  }

  /** Keys held now. */
  get size(): number {
    return this.held.size;
  }
}

function timedOut(hold: LockHold): void {
  hold.timer = null;
  const waiters = hold.waiters;
  hold.waiters = [];
  for (const w of waiters) w.lockTimedOut();
}

const locks = new WeakMap<CacheZone, CacheLock>();

/** The lock table of a zone. */
export function lockOf(zone: CacheZone): CacheLock {
  let lock = locks.get(zone);
  if (lock === undefined) {
    lock = new CacheLock();
    locks.set(zone, lock);
  }
  return lock;
}
