// Stale entries: proxy_cache_use_stale (error, timeout, http_5xx, updating), background update,
// and RFC 5861 stale-while-revalidate / stale-if-error from the response.
import { startBackend, startProxy, sleep } from '../helpers/servers';
import { cachedProxy, get } from './cache-support';

/** A backend whose answers `behave` decides per request number (1-based). */
async function scripted(behave: (n: number, res: import('node:http').ServerResponse) => void) {
  let n = 0;
  return startBackend((_q, res) => behave(++n, res));
}

describe('stale cache entries', () => {
  it('serves the stale entry when the upstream cannot be reached (use stale error)', async () => {
    const backend = await scripted((_n, res) => res.end('kept'));
    const { url } = await cachedProxy(backend.address, { valid: [{ for: '30ms' }], useStale: ['error'] });
    await get(`${url}/s`);
    await backend.close();
    await sleep(50);
    const stale = await get(`${url}/s`);
    expect([stale.status, stale.headers['x-cache-status'], stale.body]).toEqual([200, 'STALE', 'kept']);
  });

  it('answers the error when stale entries may not be used', async () => {
    const backend = await scripted((_n, res) => res.end('kept'));
    const { url } = await cachedProxy(backend.address, { valid: [{ for: '30ms' }] });
    await get(`${url}/s`);
    await backend.close();
    await sleep(50);
    expect((await get(`${url}/s`)).status).toBe(502);
  });

  it('serves the stale entry when the upstream times out (use stale timeout)', async () => {
    const backend = await scripted((n, res) => (n === 1 ? res.end('kept') : setTimeout(() => res.end('late'), 500)));
    const { url } = await startProxy({
      caches: { c: {} },
      timeouts: { firstByte: '50ms' },
      upstreams: { app: { servers: [{ address: backend.address }] } },
      routes: [{ proxy: { upstream: 'app' }, cache: { zone: 'c', valid: [{ for: '30ms' }], useStale: ['timeout'] } }],
    });
    await get(`${url}/t`);
    await sleep(50);
    const stale = await get(`${url}/t`);
    expect([stale.headers['x-cache-status'], stale.body]).toEqual(['STALE', 'kept']);
  });

  it('serves the stale entry instead of a 500 (use stale http_500), and passes other statuses on', async () => {
    const backend = await scripted((n, res) => {
      res.statusCode = n === 1 ? 200 : n === 2 ? 500 : 503;
      res.end(`answer ${n}`);
    });
    const { url } = await cachedProxy(backend.address, { valid: [{ for: '30ms' }], useStale: ['http_500'] });
    await get(`${url}/f`);
    await sleep(50);
    const stale = await get(`${url}/f`);
    expect([stale.status, stale.headers['x-cache-status'], stale.body]).toEqual([200, 'STALE', 'answer 1']);
    const passed = await get(`${url}/f`);
    expect([passed.status, passed.headers['x-cache-status'], passed.body]).toEqual([503, 'EXPIRED', 'answer 3']);
  });

  it("honours the response's stale-if-error without use stale", async () => {
    const backend = await scripted((n, res) => {
      res.setHeader('Cache-Control', 'stale-if-error=60');
      res.statusCode = n === 1 ? 200 : 502;
      res.end(`answer ${n}`);
    });
    const { url } = await cachedProxy(backend.address, { valid: [{ for: '30ms' }] });
    await get(`${url}/sie`);
    await sleep(50);
    const stale = await get(`${url}/sie`);
    expect([stale.headers['x-cache-status'], stale.body]).toEqual(['STALE', 'answer 1']);
  });

  it('serves UPDATING at once and refreshes the entry in the background (background update)', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const backend = await scripted((n, res) => (n === 1 ? res.end('old') : void held.then(() => res.end('new'))));
    const { url } = await cachedProxy(backend.address, { valid: [{ for: '30ms' }], useStale: ['updating'], backgroundUpdate: true });
    await get(`${url}/u`);
    await sleep(50);
    const updating = await get(`${url}/u`); // answered while the upstream still holds the update
    expect([updating.headers['x-cache-status'], updating.body]).toEqual(['UPDATING', 'old']);
    for (let i = 0; i < 100 && backend.requests.length < 2; i++) await sleep(5); // the background request arrives
    expect(backend.requests).toHaveLength(2);
    const again = await get(`${url}/u`); // an update is in progress: stale again, no third request
    expect(again.headers['x-cache-status']).toBe('UPDATING');
    release();
    for (let i = 0; i < 100 && (await get(`${url}/u`)).body !== 'new'; i++) await sleep(5);
    const fresh = await get(`${url}/u`);
    expect([fresh.headers['x-cache-status'], fresh.body]).toEqual(['HIT', 'new']);
    expect(backend.requests).toHaveLength(2);
  });

  it("honours the response's stale-while-revalidate with background update", async () => {
    const backend = await scripted((n, res) => {
      res.setHeader('Cache-Control', 'stale-while-revalidate=60');
      res.end(`v${n}`);
    });
    const { url } = await cachedProxy(backend.address, { valid: [{ for: '30ms' }], backgroundUpdate: true });
    await get(`${url}/swr`);
    await sleep(50);
    const updating = await get(`${url}/swr`);
    expect([updating.headers['x-cache-status'], updating.body]).toEqual(['UPDATING', 'v1']);
    for (let i = 0; i < 100 && (await get(`${url}/swr`)).body !== 'v2'; i++) await sleep(5);
    expect(backend.requests).toHaveLength(2);
  });

  it('serves UPDATING to others while one request updates in the foreground', async () => {
    const backend = await scripted((n, res) => setTimeout(() => res.end(`v${n}`), n === 1 ? 0 : 100));
    const { url } = await cachedProxy(backend.address, { valid: [{ for: '30ms' }], useStale: ['updating'] });
    await get(`${url}/fg`);
    await sleep(50);
    const updater = get(`${url}/fg`);
    await sleep(20);
    const other = await get(`${url}/fg`);
    expect([other.headers['x-cache-status'], other.body]).toEqual(['UPDATING', 'v1']);
    const updated = await updater;
    expect([updated.headers['x-cache-status'], updated.body]).toEqual(['EXPIRED', 'v2']);
  });
});
