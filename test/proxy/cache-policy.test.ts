// The request side of the cache: methods, proxy_cache_bypass / proxy_no_cache templates with
// NGINX's "non-empty and not 0" rule, and Authorization (RFC 9111 §3.5).
import { isSet } from '../../proxy/src/cache/cache-policy';
import { startBackend } from '../helpers/servers';
import { cachedProxy, get, statuses } from './cache-support';

describe('cache policy', () => {
  it('counts a bypass or no-store value only when it is non-empty and not "0"', () => {
    expect(['', '0'].map(isSet)).toEqual([false, false]);
    expect(['1', 'yes', '00', ' '].map(isSet)).toEqual([true, true, true, true]);
  });

  it('bypasses the lookup for a set cookie but still stores the answer (proxy_cache_bypass)', async () => {
    let n = 0;
    const backend = await startBackend((_q, res) => res.end(`v${++n}`));
    const { url } = await cachedProxy(backend.address, { bypass: ['$cookie_nocache'] });
    expect((await get(`${url}/a`)).headers['x-cache-status']).toBe('MISS');
    const bypassed = await get(`${url}/a`, { cookie: 'nocache=1' });
    expect([bypassed.headers['x-cache-status'], bypassed.body]).toEqual(['BYPASS', 'v2']);
    // "0" does not count; the bypassed request refreshed the entry.
    const hit = await get(`${url}/a`, { cookie: 'nocache=0' });
    expect([hit.headers['x-cache-status'], hit.body]).toEqual(['HIT', 'v2']);
  });

  it('keeps answers out of the cache for a path template (proxy_no_cache), and bypasses methods it does not cache', async () => {
    const backend = await startBackend((_q, res) => res.end('x'));
    const { url } = await cachedProxy(backend.address, { noStore: ['$arg_private'] });
    expect(await statuses(`${url}/a?private=1`, 2)).toEqual(['MISS', 'MISS']);
    expect(await statuses(`${url}/a?private=0`, 2)).toEqual(['MISS', 'HIT']);
    const post = await get(`${url}/a?private=0`, {}, 'POST');
    expect(post.headers['x-cache-status']).toBe('BYPASS');
    expect(backend.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'GET', 'POST']);
  });

  it('answers HEAD from a GET entry and never stores a HEAD answer', async () => {
    const backend = await startBackend((_q, res) => res.end('body'));
    const { url } = await cachedProxy(backend.address);
    expect((await get(`${url}/h`, {}, 'HEAD')).headers['x-cache-status']).toBe('MISS');
    expect((await get(`${url}/h`, {}, 'HEAD')).headers['x-cache-status']).toBe('MISS');
    await get(`${url}/h`);
    const head = await get(`${url}/h`, {}, 'HEAD');
    expect([head.headers['x-cache-status'], head.headers['content-length'], head.body]).toEqual(['HIT', '4', '']);
  });
});
