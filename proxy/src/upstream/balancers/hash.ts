import { crc32 } from 'node:zlib';
import { isCandidate, type Balancer, type PickContext } from '../balancer';
import type { UpstreamServer } from '../upstream-server';
import { RoundRobinBalancer } from './round-robin';

/** NGINX gives up re-hashing after 20 unavailable picks and falls back to round robin. */
const MAX_REHASH = 20;

/**
 * Generic hash (`hash $key`) and ip_hash: the key's CRC32 picks a server in proportion to weight.
 * When that server is unavailable the key is re-hashed, then round robin takes over.
 * Adding or removing a server remaps most keys; use ConsistentHashBalancer to remap ~1/N.
 */
export class HashBalancer implements Balancer {
  private readonly fallback = new RoundRobinBalancer();

  pick(servers: readonly UpstreamServer[], ctx: PickContext): UpstreamServer | null {
    let total = 0;
    for (const s of servers) total += s.weight;
    for (let attempt = 0; attempt < MAX_REHASH; attempt++) {
      const hash = crc32(attempt === 0 ? ctx.key : `${attempt}\0${ctx.key}`);
      const server = byWeight(servers, hash % total);
      if (isCandidate(server, ctx)) return server;
    }
    return this.fallback.pick(servers, ctx);
  }
}

function byWeight(servers: readonly UpstreamServer[], point: number): UpstreamServer {
  for (const s of servers) {
    point -= s.weight;
    if (point < 0) return s;
  }
  return servers[servers.length - 1];
}

/** Ketama points per unit of weight (NGINX uses 160). */
const POINTS_PER_WEIGHT = 160;

/**
 * Ketama consistent hashing (`hash $key consistent`): each server owns 160×weight points on a ring;
 * a key goes to the first candidate clockwise from its hash. Removing one of N servers moves only
 * the keys it owned, about 1/N of them.
 */
export class ConsistentHashBalancer implements Balancer {
  private ringFor: readonly UpstreamServer[] | null = null;
  private points = new Uint32Array(0);
  private owners: UpstreamServer[] = [];

  pick(servers: readonly UpstreamServer[], ctx: PickContext): UpstreamServer | null {
    if (this.ringFor !== servers) this.build(servers);
    const points = this.points;
    if (points.length === 0) return null;
    const hash = crc32(ctx.key);
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid] < hash) lo = mid + 1;
      else hi = mid;
    }
    for (let i = 0; i < points.length; i++) {
      const owner = this.owners[(lo + i) % points.length];
      if (isCandidate(owner, ctx)) return owner;
    }
    return null;
  }

  private build(servers: readonly UpstreamServer[]): void {
    // Each point packed as hash * 2^16 + owner index in one float (exact below 2^53), so the ring
    // sorts natively: up to 160 × 256 points per server build in milliseconds, not a stall.
    let count = 0;
    for (const s of servers) count += POINTS_PER_WEIGHT * s.weight;
    const packed = new Float64Array(count);
    let n = 0;
    servers.forEach((s, owner) => {
      const points = POINTS_PER_WEIGHT * s.weight;
      for (let i = 0; i < points; i++) packed[n++] = crc32(`${s.id}\0${i}`) * 65536 + owner;
    });
    packed.sort();
    this.points = new Uint32Array(count);
    this.owners = new Array<UpstreamServer>(count);
    for (let i = 0; i < count; i++) {
      const owner = packed[i] % 65536;
      this.points[i] = (packed[i] - owner) / 65536;
      this.owners[i] = servers[owner];
    }
    this.ringFor = servers;
  }
}

/** ip_hash's key: the first three octets of an IPv4 address (a /24 sticks together), or all of IPv6. */
export function ipHashKey(address: string): string {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(v4)) return v4.slice(0, v4.lastIndexOf('.'));
  return address;
}
