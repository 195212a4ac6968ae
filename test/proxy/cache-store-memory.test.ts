// The memory tier of a cache zone: bounded in bytes, least recently used out first, variants,
// size limits, min-uses counts and purge.
import { LruBytes } from '../../proxy/src/lru-bytes';
import { StoredZone } from '../../proxy/src/cache/stored-zone';
import { head, noHeaders, put, readBody, zoneConfig } from './cache-store-support';

describe('LruBytes', () => {
  test('keeps the total under its bound and evicts the least recently used first', () => {
    const out: string[] = [];
    const lru = new LruBytes<string, number>(100, (k) => out.push(k));
    lru.set('a', 1, 40);
    lru.set('b', 2, 40);
    lru.get('a'); // b is now the oldest
    lru.set('c', 3, 40);
    expect(out).toEqual(['b']);
    expect(lru.bytes).toBe(80);
    expect([...lru.entries()].map(([k]) => k)).toEqual(['a', 'c']);
    expect(lru.set('huge', 4, 101)).toBe(false);
    expect(lru.has('huge')).toBe(false);
    lru.resize(40);
    expect(out).toEqual(['b', 'a']);
    expect(lru.bytes).toBe(40);
  });
});

describe('StoredZone in memory', () => {
  test('serves a stored entry whole and by range from memory', async () => {
    const zone = new StoredZone(zoneConfig());
    expect(put(zone, 'http://a/x', 'hello world')).toBe(true);
    const entry = zone.lookup('http://a/x', noHeaders)!;
    expect(entry.body!.toString()).toBe('hello world');
    expect(entry.size).toBe(11);
    expect(await readBody(entry)).toBe('hello world');
    expect(await readBody(entry, 6, 10)).toBe('world');
    expect(zone.stats.stores).toBe(1);
    expect(zone.usage()).toEqual({ entries: 1, memoryBytes: expect.any(Number), diskBytes: 0 });
  });

  test('evicts the least recently used entries to stay within maxSize bytes, and counts them', () => {
    const zone = new StoredZone(zoneConfig({ maxSize: 4000, maxEntrySize: 1000 }));
    const body = Buffer.alloc(900, 'x');
    for (const k of ['a', 'b', 'c']) put(zone, k, body);
    zone.lookup('a', noHeaders); // b is the oldest now
    put(zone, 'd', body);
    put(zone, 'e', body);
    expect(zone.lookup('b', noHeaders)).toBeNull();
    expect(zone.lookup('a', noHeaders)).not.toBeNull();
    expect(zone.lookup('e', noHeaders)).not.toBeNull();
    expect(zone.usage().memoryBytes).toBeLessThanOrEqual(4000);
    expect(zone.stats.evictions).toBe(zone.stats.stores - zone.usage().entries);
    expect(zone.stats.evictions).toBeGreaterThanOrEqual(1);
  });

  test('keeps variants by vary values and replaces only the same variant', () => {
    const zone = new StoredZone(zoneConfig());
    put(zone, 'k', 'gzip body', { vary: [['accept-encoding', 'gzip']] });
    put(zone, 'k', 'plain body', { vary: [['accept-encoding', '']] });
    put(zone, 'k', 'gzip body 2', { vary: [['accept-encoding', 'gzip']] });
    const gzip = zone.lookup('k', (n) => (n === 'accept-encoding' ? 'gzip' : ''))!;
    expect(gzip.body!.toString()).toBe('gzip body 2');
    expect(zone.lookup('k', noHeaders)!.body!.toString()).toBe('plain body');
    expect(zone.lookup('k', () => 'br')).toBeNull();
    expect(zone.usage().entries).toBe(2);
  });

  test('refuses up front a Content-Length over maxEntrySize, and drops a body that grows over it', () => {
    const zone = new StoredZone(zoneConfig({ maxEntrySize: 10 }));
    expect(zone.begin(head('big'), 11)).toBeNull();
    const write = zone.begin(head('chunked'), null)!;
    expect(write.write(Buffer.alloc(6))).toBe(true);
    expect(write.write(Buffer.alloc(6))).toBe(false);
    expect(write.write(Buffer.alloc(1))).toBe(false);
    write.commit();
    expect(zone.lookup('chunked', noHeaders)).toBeNull();
    expect(zone.stats.stores).toBe(0);
  });

  test('never stores a body cut short of its Content-Length, nor an aborted one', () => {
    const zone = new StoredZone(zoneConfig());
    const cut = zone.begin(head('cut'), 10)!;
    cut.write(Buffer.from('12345'));
    cut.commit();
    const aborted = zone.begin(head('aborted'), null)!;
    aborted.write(Buffer.from('12345'));
    aborted.abort();
    aborted.commit();
    expect(zone.lookup('cut', noHeaders)).toBeNull();
    expect(zone.lookup('aborted', noHeaders)).toBeNull();
  });

  test('refresh gives a stored entry a new head and keeps its body', () => {
    const zone = new StoredZone(zoneConfig());
    put(zone, 'k', 'body', { etag: '"1"' });
    const entry = zone.lookup('k', noHeaders)!;
    zone.refresh(entry, { headers: ['x-new', '1'], storedAt: 5, expiresAt: 10, staleWhileRevalidate: 0, staleIfError: 0, etag: '"2"', lastModified: null });
    const again = zone.lookup('k', noHeaders)!;
    expect(again.etag).toBe('"2"');
    expect(again.headers).toEqual(['x-new', '1']);
    expect(again.body!.toString()).toBe('body');
    expect(zone.usage().entries).toBe(1);
  });

  test('purges one key (every variant) or every key with a prefix, in flight writes included', () => {
    const zone = new StoredZone(zoneConfig());
    put(zone, 'http://a/one', '1', { vary: [['accept-encoding', 'gzip']] });
    put(zone, 'http://a/one', '1', { vary: [['accept-encoding', '']] });
    put(zone, 'http://a/two', '2');
    put(zone, 'http://b/one', '3');
    const inFlight = zone.begin(head('http://a/three'), null)!;
    inFlight.write(Buffer.from('x'));
    expect(zone.purge('http://a/one')).toBe(2);
    expect(zone.purge('http://a/one')).toBe(0);
    expect(zone.purge('http://a/*')).toBe(1);
    inFlight.commit();
    expect(zone.lookup('http://a/three', noHeaders)).toBeNull();
    expect(zone.lookup('http://b/one', noHeaders)).not.toBeNull();
    expect(zone.purge('*')).toBe(1);
    expect(zone.usage()).toEqual({ entries: 0, memoryBytes: 0, diskBytes: 0 });
  });

  test('counts uses per key (min uses) with bounded memory', () => {
    const zone = new StoredZone(zoneConfig());
    expect(zone.use('k')).toBe(1);
    expect(zone.use('k')).toBe(2);
    const long = 'x'.repeat(10_000);
    for (let i = 0; i < 200; i++) zone.use(`${long}${i}`);
    expect(zone.use('k')).toBe(1); // forgotten: 200 keys of 20 KB each are over the counters' bound
  });
});
