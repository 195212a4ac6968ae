// The cache flow end to end: real upstream, real proxy, real sockets.
import { startBackend, sleep } from '../helpers/servers';
import { cachedProxy, get, statuses } from './cache-support';

describe('proxy cache flow', () => {
  it('answers MISS then HIT, and the upstream sees one request', async () => {
    let n = 0;
    const backend = await startBackend((_q, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.end(`answer ${++n}`);
    });
    const { url } = await cachedProxy(backend.address);
    const first = await get(`${url}/a`);
    const second = await get(`${url}/a`);
    expect([first.headers['x-cache-status'], second.headers['x-cache-status']]).toEqual(['MISS', 'HIT']);
    expect(second.body).toBe('answer 1');
    expect(second.headers['content-type']).toBe('text/plain');
    expect(second.headers['content-length']).toBe('8');
    expect(second.headers.age).toBe('0');
    expect(backend.requests).toHaveLength(1);
  });

  it('stores a chunked answer whole and serves it with its length', async () => {
    const backend = await startBackend((_q, res) => {
      res.write('part one, ');
      setTimeout(() => res.end('part two'), 5);
    });
    const { url } = await cachedProxy(backend.address);
    await get(`${url}/chunked`);
    const hit = await get(`${url}/chunked`);
    expect([hit.headers['x-cache-status'], hit.body, hit.headers['content-length']]).toEqual(['HIT', 'part one, part two', '18']);
  });

  it('keys by host and URI', async () => {
    const backend = await startBackend((q, res) => res.end(`${q.headers.host} ${q.url}`));
    const { url } = await cachedProxy(backend.address);
    expect((await get(`${url}/x`, { host: 'one.test' })).body).toBe('one.test /x');
    expect((await get(`${url}/x`, { host: 'two.test' })).body).toBe('two.test /x');
    expect((await get(`${url}/x?q=1`, { host: 'one.test' })).body).toBe('one.test /x?q=1');
    expect(await statuses(`${url}/x`, 1, { host: 'one.test' })).toEqual(['HIT']);
    expect(backend.requests).toHaveLength(3);
  });

  it('answers EXPIRED with a full fetch when the entry has no validators', async () => {
    let n = 0;
    const backend = await startBackend((_q, res) => res.end(`v${++n}`));
    const { url } = await cachedProxy(backend.address, { valid: [{ for: '30ms' }] });
    await get(`${url}/e`);
    await sleep(50);
    const expired = await get(`${url}/e`);
    expect([expired.headers['x-cache-status'], expired.body]).toEqual(['EXPIRED', 'v2']);
    expect((await get(`${url}/e`)).headers['x-cache-status']).toBe('HIT');
  });

  it('revalidates an expired entry with If-None-Match and serves it on 304 (REVALIDATED)', async () => {
    const backend = await startBackend((q, res) => {
      res.setHeader('ETag', '"v1"');
      res.setHeader('X-Served', String(Date.now()));
      if (q.headers['if-none-match'] === '"v1"') {
        res.statusCode = 304;
        res.end();
      } else res.end('the body');
    });
    const { url } = await cachedProxy(backend.address, { valid: [{ for: '30ms' }] });
    await get(`${url}/r`);
    await sleep(50);
    const revalidated = await get(`${url}/r`);
    expect([revalidated.status, revalidated.headers['x-cache-status'], revalidated.body]).toEqual([200, 'REVALIDATED', 'the body']);
    expect(backend.requests[1].headers['if-none-match']).toBe('"v1"');
    // The 304 refreshed the entry: fresh again, with the 304's headers.
    const hit = await get(`${url}/r`);
    expect([hit.headers['x-cache-status'], hit.headers['x-served']]).toEqual(['HIT', revalidated.headers['x-served']]);
    expect(backend.requests).toHaveLength(2);
  });

  it('revalidates with If-Modified-Since when the entry has only Last-Modified', async () => {
    const modified = 'Wed, 01 Jan 2025 00:00:00 GMT';
    const backend = await startBackend((q, res) => {
      res.setHeader('Last-Modified', modified);
      res.statusCode = q.headers['if-modified-since'] === modified ? 304 : 200;
      res.end(res.statusCode === 200 ? 'dated' : undefined);
    });
    const { url } = await cachedProxy(backend.address, { valid: [{ for: '30ms' }] });
    await get(`${url}/m`);
    await sleep(50);
    const revalidated = await get(`${url}/m`);
    expect([revalidated.headers['x-cache-status'], revalidated.body]).toEqual(['REVALIDATED', 'dated']);
    expect(backend.requests[1].headers['if-modified-since']).toBe(modified);
  });

  it('does not revalidate when revalidate is off', async () => {
    const backend = await startBackend((_q, res) => {
      res.setHeader('ETag', '"v1"');
      res.end('x');
    });
    const { url } = await cachedProxy(backend.address, { valid: [{ for: '30ms' }], revalidate: false });
    await get(`${url}/r`);
    await sleep(50);
    expect((await get(`${url}/r`)).headers['x-cache-status']).toBe('EXPIRED');
    expect(backend.requests[1].headers['if-none-match']).toBeUndefined();
  });

  it('answers a client conditional request 304 from the cache', async () => {
    const backend = await startBackend((_q, res) => {
      res.setHeader('ETag', 'W/"tag"');
      res.setHeader('Last-Modified', 'Wed, 01 Jan 2025 00:00:00 GMT');
      res.end('x');
    });
    const { url } = await cachedProxy(backend.address);
    await get(`${url}/c`);
    const byTag = await get(`${url}/c`, { 'if-none-match': '"other", "tag"' });
    expect([byTag.status, byTag.headers['x-cache-status'], byTag.headers.etag]).toEqual([304, 'HIT', 'W/"tag"']);
    const byDate = await get(`${url}/c`, { 'if-modified-since': 'Thu, 02 Jan 2025 00:00:00 GMT' });
    expect(byDate.status).toBe(304);
    const changed = await get(`${url}/c`, { 'if-none-match': '"other"' });
    expect([changed.status, changed.body]).toEqual([200, 'x']);
    expect(backend.requests).toHaveLength(1);
    // The client's own validators never reach the upstream of a request the cache may store.
    expect(backend.requests[0].headers['if-none-match']).toBeUndefined();
  });

  it('answers Range requests from a cached full response (206, 416, If-Range)', async () => {
    const backend = await startBackend((_q, res) => {
      res.setHeader('ETag', '"r"');
      res.end('0123456789');
    });
    const { url } = await cachedProxy(backend.address);
    const miss = await get(`${url}/range`, { range: 'bytes=2-4' });
    expect([miss.status, miss.body]).toEqual([200, '0123456789']); // the fill fetches the whole body
    const part = await get(`${url}/range`, { range: 'bytes=2-4' });
    expect([part.status, part.body, part.headers['content-range'], part.headers['content-length']]).toEqual([206, '234', 'bytes 2-4/10', '3']);
    expect((await get(`${url}/range`, { range: 'bytes=-3' })).body).toBe('789');
    const outside = await get(`${url}/range`, { range: 'bytes=20-30' });
    expect([outside.status, outside.headers['content-range']]).toEqual([416, 'bytes */10']);
    expect((await get(`${url}/range`, { range: 'bytes=2-4', 'if-range': '"r"' })).status).toBe(206);
    expect((await get(`${url}/range`, { range: 'bytes=2-4', 'if-range': '"old"' })).status).toBe(200);
    expect(backend.requests).toHaveLength(1);
  });

  it('stores only from the minUses-th request on (proxy_cache_min_uses)', async () => {
    const backend = await startBackend((_q, res) => res.end('x'));
    const { url } = await cachedProxy(backend.address, { minUses: 3 });
    expect(await statuses(`${url}/popular`, 4)).toEqual(['MISS', 'MISS', 'MISS', 'HIT']);
  });

  it('keeps one variant per Vary value, with Accept-Encoding reduced to the codings it accepts', async () => {
    const backend = await startBackend((q, res) => {
      res.setHeader('Vary', 'Accept-Language, Accept-Encoding');
      res.end(`${q.headers['accept-language'] ?? '-'} ${q.headers['accept-encoding'] ?? '-'}`);
    });
    const { url } = await cachedProxy(backend.address);
    const fr = { 'accept-language': 'fr', 'accept-encoding': 'gzip, deflate, br' };
    expect((await get(`${url}/v`, fr)).headers['x-cache-status']).toBe('MISS');
    expect((await get(`${url}/v`, { 'accept-language': 'de', 'accept-encoding': 'gzip, br' })).headers['x-cache-status']).toBe('MISS');
    // Same language, an equivalent Accept-Encoding: the stored variant.
    const same = await get(`${url}/v`, { 'accept-language': 'fr', 'accept-encoding': 'br;q=0.5, gzip' });
    expect([same.headers['x-cache-status'], same.body]).toEqual(['HIT', 'fr gzip, deflate, br']);
    // gzip only is another variant.
    expect((await get(`${url}/v`, { 'accept-language': 'fr', 'accept-encoding': 'gzip' })).headers['x-cache-status']).toBe('MISS');
    expect((await get(`${url}/v`, { 'accept-language': 'de', 'accept-encoding': 'br, gzip' })).body).toBe('de gzip, br');
  });

  it('sets $upstream_cache_status for response header rules, on hits too', async () => {
    const backend = await startBackend((_q, res) => {
      res.setHeader('X-Powered-By', 'app');
      res.end('x');
    });
    const { url } = await cachedProxy(backend.address, {}, { responseHeaders: { set: { 'X-Cache': '$upstream_cache_status' }, remove: ['X-Powered-By'] } });
    const miss = await get(`${url}/t`);
    const hit = await get(`${url}/t`);
    expect([miss.headers['x-cache'], hit.headers['x-cache']]).toEqual(['MISS', 'HIT']);
    expect(hit.headers['x-powered-by']).toBeUndefined();
  });

  it('streams an answer over maxEntrySize through uncached', async () => {
    const big = 'b'.repeat(64 * 1024);
    const backend = await startBackend((_q, res) => {
      res.write(big);
      res.end(big);
    });
    const { url } = await cachedProxy(backend.address);
    const proxy2 = await import('../helpers/servers').then((m) =>
      m.startProxy({
        caches: { small: { maxEntrySize: '100k' } },
        upstreams: { app: { servers: [{ address: backend.address }] } },
        routes: [{ proxy: { upstream: 'app' }, cache: { zone: 'small', valid: [{ for: '1m' }] } }],
      }),
    );
    const first = await get(`${proxy2.url}/big`);
    expect(first.body.length).toBe(128 * 1024);
    expect(await statuses(`${proxy2.url}/big`, 1)).toEqual(['MISS']);
    expect(await statuses(`${url}/big`, 2)).toEqual(['MISS', 'HIT']);
  });
});
