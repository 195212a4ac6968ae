// The cache zones of the running config, built on reload from the previous registry (like the
// UpstreamRegistry over the ServerBook): a zone keeps its content and counters across reloads.
//
// - same settings: the same StoredZone, untouched;
// - only sizes or `inactive` changed (maxSize, maxEntrySize, disk.maxSize, disk.inactive): the same
//   StoredZone with the new bounds, trimmed least recently used first. Rebuilding would throw away
//   a warm cache for what is usually a tuning change;
// - the disk tier added, removed or moved to another path: a new zone (a new directory is read
//   back from its files); the old one is closed once the new registry is in force;
// - a zone no longer in the config: closed (its files stay on disk for a later config).
import type { ResolvedCacheZone } from '../config/resolved';
import type { CacheZones } from './cache-types';
import { StoredZone, type DiskFactory } from './stored-zone';

export class CacheRegistry implements CacheZones {
  private constructor(
    private readonly zones: Map<string, StoredZone>,
    /** New bounds for kept zones, applied when this registry comes into force (a refused reload changes nothing). */
    private readonly resizes: [StoredZone, ResolvedCacheZone][] = [],
  ) {}

  static build(zones: Map<string, ResolvedCacheZone>, previous?: CacheRegistry, disk?: DiskFactory): CacheRegistry {
    const built = new Map<string, StoredZone>();
    const resizes: [StoredZone, ResolvedCacheZone][] = [];
    for (const [name, config] of zones) {
      const old = previous?.zones.get(name);
      if (old !== undefined && sameStorage(old.settings, config)) {
        if (!sameSettings(old.settings, config)) resizes.push([old, config]);
        built.set(name, old);
      } else {
        built.set(name, new StoredZone(config, disk));
      }
    }
    return new CacheRegistry(built, resizes);
  }

  get(name: string): StoredZone | undefined {
    return this.zones.get(name);
  }

  all(): IterableIterator<StoredZone> {
    return this.zones.values();
  }

  /**
   * `next` is in force instead of this one: closes the zones it does not use and applies its new
   * bounds. A registry built for a refused reload is retired with the running one as `next`.
   */
  retire(next: CacheRegistry | null): void {
    const kept = new Set(next?.zones.values() ?? []);
    for (const zone of this.zones.values()) if (!kept.has(zone)) zone.close();
    for (const [zone, config] of next?.resizes.splice(0) ?? []) zone.resize(config);
  }

  close(): void {
    this.retire(null);
  }
}

/** The same place for the content: no disk on both sides, or the same directory. */
function sameStorage(a: ResolvedCacheZone, b: ResolvedCacheZone): boolean {
  return a.disk === null ? b.disk === null : b.disk !== null && a.disk.path === b.disk.path;
}

function sameSettings(a: ResolvedCacheZone, b: ResolvedCacheZone): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
