// Helpers for the cache storage tests: heads, zone configs, storing a body and reading one back.
import type { ResolvedCacheZone } from '../../proxy/src/config/resolved';
import type { CachedHead, CacheEntry, CacheZone } from '../../proxy/src/cache/cache-types';

export function head(key: string, extra: Partial<CachedHead> = {}): CachedHead {
  const now = Date.now();
  return {
    key,
    vary: [],
    status: 200,
    headers: ['content-type', 'text/plain'],
    storedAt: now,
    expiresAt: now + 60_000,
    staleWhileRevalidate: 0,
    staleIfError: 0,
    etag: null,
    lastModified: null,
    ...extra,
  };
}

export function zoneConfig(extra: Partial<ResolvedCacheZone> = {}): ResolvedCacheZone {
  return { name: 'z', maxSize: 1024 * 1024, maxEntrySize: 64 * 1024, disk: null, ...extra };
}

/** Stores `body` under `key` in one write; false when the zone refused it. */
export function put(zone: CacheZone, key: string, body: Buffer | string, extra: Partial<CachedHead> = {}): boolean {
  const bytes = Buffer.from(body);
  const write = zone.begin(head(key, extra), bytes.length);
  if (write === null || !write.write(bytes)) return false;
  write.commit();
  return true;
}

export const noHeaders = (): string => '';

export async function readBody(entry: CacheEntry, start?: number, end?: number): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of entry.openBody(start, end)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}
