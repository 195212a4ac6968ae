// A request on a route with a cache (NGINX proxy_cache): look up, then serve the entry (HIT), wait
// for the request that fills the key (proxy_cache_lock), serve a stale entry while another request
// updates it (UPDATING, with proxy_cache_background_update), or go upstream through the cache link
// (MISS, EXPIRED, BYPASS; the link may still answer REVALIDATED or STALE).
//
// Hot path, a fresh memory entry: compiled key template, synchronous lookup, serveEntry.
import type { Downstream, DownstreamCloseListener } from '../downstream/downstream';
import type { ForwardTarget } from '../forward/dispatch';
import type { Runtime, RuntimeRoute } from '../runtime';
import { BackgroundRequest } from './background-request';
import { serveEntry } from './cache-hit';
import type { LockWaiter } from './cache-lock';
import { CacheRequest } from './cache-link';
import type { CachePolicy } from './cache-policy';
import type { CacheEntry } from './cache-types';
import { varyReader } from './vary';

/** Forwards a request upstream, with the cache link when `cache` is given (request-handler.ts). */
export type Forward = (runtime: Runtime, route: RuntimeRoute, target: ForwardTarget, ds: Downstream, upgrade: string | null, cache: CacheRequest | null) => void;

/** NGINX proxy_cache_lock_age: a holder older than this is presumed lost and another request may fill the key. */
const MIN_LOCK_AGE = 5_000;

export function cachedRequest(policy: CachePolicy, runtime: Runtime, route: RuntimeRoute, target: ForwardTarget, ds: Downstream, forward: Forward, waited = false): void {
  const zone = policy.zone;
  const raw = ds.rawHeaders;
  if (!policy.mayLookup(ds, raw)) {
    zone.stats.bypasses++;
    const store = policy.mayStore(ds);
    forward(runtime, route, target, ds, null, new CacheRequest(policy, store ? policy.keyOf(ds) : '', 'BYPASS', store, null, null, false));
    return;
  }
  const key = policy.keyOf(ds);
  const now = Date.now();
  const entry = zone.lookup(key, varyReader(raw), now);
  if (entry === null) {
    cold(new Exchange(policy, runtime, route, target, ds, forward, key), waited);
    return;
  }
  if (now < entry.expiresAt) {
    zone.stats.hits++;
    target.stats.response(serveEntry(ds, entry, 'HIT', target.responseRules, runtime.config.timeouts.clientSend, now));
    return;
  }
  expired(new Exchange(policy, runtime, route, target, ds, forward, key), entry, now);
}

/** One request past its lookup: what going upstream (now or after a wait) needs. */
class Exchange implements LockWaiter, DownstreamCloseListener {
  private gone = false;

  constructor(
    readonly policy: CachePolicy,
    readonly runtime: Runtime,
    readonly route: RuntimeRoute,
    readonly target: ForwardTarget,
    readonly ds: Downstream,
    readonly forward: Forward,
    readonly key: string,
  ) {}

  upstream(req: CacheRequest): void {
    this.policy.zone.stats.misses++;
    this.forward(this.runtime, this.route, this.target, this.ds, null, req);
  }

  serveStale(entry: CacheEntry): void {
    this.policy.zone.stats.stale++;
    this.target.stats.response(serveEntry(this.ds, entry, 'UPDATING', this.target.responseRules, this.runtime.config.timeouts.clientSend, Date.now()));
  }

  wait(): void {
    const policy = this.policy;
    if (!policy.lock.wait(this.key, this, policy.config.lockTimeout)) {
      cold(this, true);
      return;
    }
    this.ds.onClose(this);
  }

  lockReleased(): void {
    if (!this.gone) cachedRequest(this.policy, this.runtime, this.route, this.target, this.ds, this.forward, true);
  }

  /** proxy_cache_lock_timeout: upstream, and the answer is not stored (as NGINX). */
  lockTimedOut(): void {
    if (!this.gone) this.upstream(new CacheRequest(this.policy, this.key, 'MISS', false, null, null, false));
  }

  downstreamClosed(): void {
    this.gone = true;
    this.policy.lock.leave(this.key, this);
  }
}

/** No entry: fill it, holding the key's lock; wait for the holder when another request fills it. */
function cold(x: Exchange, waited: boolean): void {
  const policy = x.policy;
  const config = policy.config;
  let store = policy.mayStore(x.ds);
  // proxy_cache_min_uses: stored from the n-th request for the key on.
  if (store && config.minUses > 1 && policy.zone.use(x.key) < config.minUses) store = false;
  const hold = store ? policy.lock.acquire(x.key, lockAge(policy)) : null;
  if (store && hold === null && config.lock && !waited) {
    x.wait();
    return;
  }
  x.upstream(new CacheRequest(policy, x.key, 'MISS', store, hold, null, false));
}

/** An expired entry: update it (revalidating when it has validators), or serve it stale while another request does. */
function expired(x: Exchange, entry: CacheEntry, now: number): void {
  const policy = x.policy;
  const config = policy.config;
  // proxy_cache_use_stale updating, or the response's own stale-while-revalidate window.
  const staleWhileUpdating = config.useStale.has('updating') || now < entry.expiresAt + entry.staleWhileRevalidate;
  if (policy.lock.isHeld(x.key)) {
    if (staleWhileUpdating) x.serveStale(entry);
    else x.upstream(new CacheRequest(policy, x.key, 'EXPIRED', policy.mayStore(x.ds), null, entry, false));
    return;
  }
  const store = policy.mayStore(x.ds);
  const hold = store ? policy.lock.acquire(x.key, lockAge(policy)) : null;
  if (hold !== null && staleWhileUpdating && config.backgroundUpdate) {
    x.serveStale(entry);
    x.forward(x.runtime, x.route, x.target, new BackgroundRequest(x.ds), null, new CacheRequest(policy, x.key, 'EXPIRED', true, hold, entry, true));
    return;
  }
  x.upstream(new CacheRequest(policy, x.key, 'EXPIRED', store, hold, entry, false));
}

function lockAge(policy: CachePolicy): number {
  return Math.max(policy.config.lockTimeout, MIN_LOCK_AGE);
}
