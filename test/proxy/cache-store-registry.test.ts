// Cache zones across reloads: content kept when the storage is the same, bounds applied when only
// sizes change, a refused reload changes nothing, removed zones closed.
import { CacheRegistry } from '../../proxy/src/cache/cache-registry';
import type { ResolvedCacheZone } from '../../proxy/src/config/resolved';
import { noHeaders, put, zoneConfig } from './cache-store-support';

const zones = (...list: ResolvedCacheZone[]) => new Map(list.map((z) => [z.name, z]));

describe('CacheRegistry', () => {
  test('keeps a zone and its content when its settings are unchanged', () => {
    const first = CacheRegistry.build(zones(zoneConfig({ name: 'a' })));
    put(first.get('a')!, 'k', 'v');
    const next = CacheRegistry.build(zones(zoneConfig({ name: 'a' })), first);
    first.retire(next);
    expect(next.get('a')).toBe(first.get('a'));
    expect(next.get('a')!.lookup('k', noHeaders)!.body!.toString()).toBe('v');
  });

  test('applies a new maxSize to the same zone once in force, trimming least recently used first', () => {
    const first = CacheRegistry.build(zones(zoneConfig({ name: 'a', maxSize: 100_000 })));
    const zone = first.get('a')!;
    for (const k of ['1', '2', '3']) put(zone, k, Buffer.alloc(10_000));
    const next = CacheRegistry.build(zones(zoneConfig({ name: 'a', maxSize: 25_000 })), first);
    expect(zone.usage().entries).toBe(3); // not yet: the reload may still be refused
    first.retire(next);
    expect(next.get('a')).toBe(zone);
    expect(zone.usage().entries).toBe(2);
    expect(zone.lookup('1', noHeaders)).toBeNull();
    expect(zone.settings.maxSize).toBe(25_000);
  });

  test('a registry of a refused reload retired with the running one changes nothing', () => {
    const running = CacheRegistry.build(zones(zoneConfig({ name: 'a' })));
    put(running.get('a')!, 'k', 'v');
    const refused = CacheRegistry.build(zones(zoneConfig({ name: 'a', maxSize: 10 }), zoneConfig({ name: 'b' })), running);
    refused.retire(running);
    expect(running.get('a')!.settings.maxSize).toBe(zoneConfig().maxSize);
    expect(running.get('a')!.lookup('k', noHeaders)).not.toBeNull();
  });

  test('closes a zone the new config removes', () => {
    const first = CacheRegistry.build(zones(zoneConfig({ name: 'a' }), zoneConfig({ name: 'b' })));
    put(first.get('b')!, 'k', 'v');
    const next = CacheRegistry.build(zones(zoneConfig({ name: 'a' })), first);
    const b = first.get('b')!;
    first.retire(next);
    expect(next.get('b')).toBeUndefined();
    expect([...next.all()].map((z) => z.name)).toEqual(['a']);
    expect(b.usage().entries).toBe(0);
  });
});
