// The response side of the cache: NGINX's precedence X-Accel-Expires > Cache-Control > Expires >
// proxy_cache_valid, each ignorable; Set-Cookie and Vary: * keep a response out unless ignored.
import type { ResolvedRouteCache } from '../../proxy/src/config/resolved';
import { responseFreshness } from '../../proxy/src/cache/freshness';
import { startBackend } from '../helpers/servers';
import { cachedProxy, get, statuses } from './cache-support';

const NOW = Date.parse('2026-01-01T00:00:00Z');

function config(over: Partial<ResolvedRouteCache> = {}): ResolvedRouteCache {
  return {
    zone: 'c', key: '$scheme$host$request_uri', methods: new Set(['GET', 'HEAD']),
    valid: new Map([[200, 1_800_000], [404, 60_000]]), validAny: null, minUses: 1, ignoreHeaders: new Set(),
    bypass: [], noStore: [], useStale: new Set(), backgroundUpdate: false, lock: true, lockTimeout: 5000, revalidate: true,
    ...over,
  };
}

const ttl = (status: number, headers: string[], over: Partial<ResolvedRouteCache> = {}) => responseFreshness(status, headers, config(over), NOW)?.ttl ?? null;

describe('response freshness', () => {
  it('uses proxy_cache_valid per status, and stores nothing for a status it does not name', () => {
    expect(ttl(200, [])).toBe(1_800_000);
    expect(ttl(404, [])).toBe(60_000);
    expect(ttl(500, [])).toBeNull();
    expect(ttl(500, [], { validAny: 5000 })).toBe(5000);
  });

  it('takes X-Accel-Expires over Cache-Control over Expires over proxy_cache_valid', () => {
    const expires = new Date(NOW + 120_000).toUTCString();
    expect(ttl(200, ['Expires', expires])).toBe(120_000);
    expect(ttl(200, ['Cache-Control', 'max-age=60', 'Expires', expires])).toBe(60_000);
    expect(ttl(200, ['Cache-Control', 'max-age=60, s-maxage=90'])).toBe(90_000);
    expect(ttl(200, ['X-Accel-Expires', '10', 'Cache-Control', 'max-age=60'])).toBe(10_000);
    expect(ttl(200, ['X-Accel-Expires', '10', 'Cache-Control', 'no-store'])).toBe(10_000);
    expect(ttl(200, ['X-Accel-Expires', `@${(NOW + 30_000) / 1000}`])).toBe(30_000);
  });

  it('stores nothing for no-store, no-cache, private, max-age=0, X-Accel-Expires: 0, or a past or broken Expires', () => {
    for (const cc of ['no-store', 'no-cache', 'private', 'max-age=0', 'public, max-age=0']) expect(ttl(200, ['Cache-Control', cc])).toBeNull();
    expect(ttl(200, ['X-Accel-Expires', '0'])).toBeNull();
    expect(ttl(200, ['Expires', new Date(NOW - 1000).toUTCString()])).toBeNull();
    expect(ttl(200, ['Expires', 'not a date'])).toBeNull();
  });

  it('falls through an ignored header to the next one', () => {
    const ignore = (...h: string[]) => ({ ignoreHeaders: new Set(h) });
    expect(ttl(200, ['Cache-Control', 'no-store'], ignore('cache-control'))).toBe(1_800_000);
    expect(ttl(200, ['X-Accel-Expires', '10', 'Cache-Control', 'max-age=60'], ignore('x-accel-expires'))).toBe(60_000);
    expect(ttl(200, ['Expires', new Date(NOW - 1000).toUTCString()], ignore('expires'))).toBe(1_800_000);
  });

  it('keeps Set-Cookie and Vary: * out unless they are ignored', () => {
    expect(ttl(200, ['Set-Cookie', 'a=1'])).toBeNull();
    expect(ttl(200, ['Set-Cookie', 'a=1'], { ignoreHeaders: new Set(['set-cookie']) })).toBe(1_800_000);
    expect(ttl(200, ['Vary', 'Accept, *'])).toBeNull();
    expect(ttl(200, ['Vary', '*'], { ignoreHeaders: new Set(['vary']) })).toBe(1_800_000);
  });

  it('never stores partial, not-modified or informational answers', () => {
    for (const status of [101, 206, 304]) expect(ttl(status, ['Cache-Control', 'max-age=60'], { validAny: 1000 })).toBeNull();
  });

  it('reads stale-while-revalidate, stale-if-error and whether a response is shareable', () => {
    const f = responseFreshness(200, ['Cache-Control', 'max-age=5, stale-while-revalidate=30, stale-if-error=600'], config(), NOW);
    expect(f).toEqual({ ttl: 5000, staleWhileRevalidate: 30_000, staleIfError: 600_000, shareable: false });
    for (const cc of ['public', 's-maxage=5', 'must-revalidate']) expect(responseFreshness(200, ['Cache-Control', cc], config(), NOW)?.shareable).toBe(true);
  });
});

describe('response freshness through the proxy', () => {
  it('keeps a 200 for 30 minutes and a 404 for one (proxy_cache_valid 200 30m; 404 1m)', async () => {
    const backend = await startBackend((q, res) => {
      res.statusCode = q.url === '/missing' ? 404 : 200;
      res.end('x');
    });
    const { url, port, proxy } = await cachedProxy(backend.address, { valid: [{ status: [200], for: '30m' }, { status: [404], for: '1m' }] });
    await get(`${url}/here`);
    await get(`${url}/missing`);
    const here = await get(`${url}/here`);
    const missing = await get(`${url}/missing`);
    expect([here.headers['x-cache-status'], missing.headers['x-cache-status']]).toEqual(['HIT', 'HIT']);
    expect(missing.status).toBe(404);
    const zone = proxy.runtime.caches.get('c')!;
    const lifetime = (path: string) => {
      // The Host carried a port, which the key keeps (cache-poisoning.test.ts says why).
      const e = zone.lookup(`http127.0.0.1${path}\n127.0.0.1:${port}`, () => '')!;
      return e.expiresAt - e.storedAt;
    };
    expect([lifetime('/here'), lifetime('/missing')]).toEqual([30 * 60_000, 60_000]);
  });

  it('does not store a response with Set-Cookie, and with ignoreHeaders stores it without the cookie', async () => {
    const backend = await startBackend((_q, res) => {
      res.setHeader('Set-Cookie', 'session=secret');
      res.end('x');
    });
    const plain = await cachedProxy(backend.address);
    expect(await statuses(`${plain.url}/a`, 2)).toEqual(['MISS', 'MISS']);
    const ignoring = await cachedProxy(backend.address, { ignoreHeaders: ['Set-Cookie'] });
    const miss = await get(`${ignoring.url}/a`);
    const hit = await get(`${ignoring.url}/a`);
    expect(miss.headers['set-cookie']).toEqual(['session=secret']); // the client that caused the fetch gets its own cookie
    expect(hit.headers['x-cache-status']).toBe('HIT');
    expect(hit.headers['set-cookie']).toBeUndefined();
  });

  it('honours Cache-Control from the upstream unless told to ignore it', async () => {
    const backend = await startBackend((_q, res) => {
      res.setHeader('Cache-Control', 'no-store');
      res.end('x');
    });
    const honouring = await cachedProxy(backend.address);
    expect(await statuses(`${honouring.url}/a`, 2)).toEqual(['MISS', 'MISS']);
    const ignoring = await cachedProxy(backend.address, { ignoreHeaders: ['Cache-Control'] });
    expect(await statuses(`${ignoring.url}/a`, 2)).toEqual(['MISS', 'HIT']);
  });
});
