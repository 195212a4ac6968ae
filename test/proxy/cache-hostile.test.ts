// Hostile clients against the proxy cache: inputs that must not change what another client is
// served, nor make one key cost unbounded memory or CPU.
import http, { type ServerResponse } from 'node:http';
import { startBackend, startProxy } from '../helpers/servers';
import { MAX_VARIANTS } from '../../proxy/src/cache/stored-zone';
import { cachedProxy, get } from './cache-support';

describe('cache against hostile clients', () => {
  it('refuses a Host with a slash: "a.test/admin" + "/x" would share the key of "a.test" + "/admin/x"', async () => {
    const backend = await startBackend((q, res) => res.end(`page ${q.url}`));
    const { url } = await cachedProxy(backend.address);
    const attack = await get(`${url}/x`, { host: 'victim.test/admin' });
    expect(attack.status).toBe(400);
    const victim = await get(`${url}/admin/x`, { host: 'victim.test' });
    expect([victim.headers['x-cache-status'], victim.body]).toEqual(['MISS', 'page /admin/x']);
  });

  it('refuses a Host with userinfo ("user:pw@a.test"): RFC 9110 §4.2.4, RFC 9113 §8.3.1', async () => {
    const backend = await startBackend((q, res) => res.end(`page ${q.headers.host}`));
    const { url } = await cachedProxy(backend.address);
    expect((await get(`${url}/x`, { host: 'user:pw@victim.test' })).status).toBe(400);
    expect((await get(`${url}/x`, { host: 'victim.test' })).status).toBe(200);
  });
});

describe('cache variants', () => {
  it('bounds the variants of one key: a Vary on a header the client picks freely cannot grow a key without end', async () => {
    const backend = await startBackend((q, res) => {
      res.setHeader('Vary', 'User-Agent');
      res.end(`for ${q.headers['user-agent']}`);
    });
    const running = await cachedProxy(backend.address);
    const zone = running.proxy.runtime.caches.get('c')!;
    for (let i = 0; i < 200; i++) await get(`${running.url}/page`, { 'user-agent': `bot-${i}` });
    expect(zone.usage().entries).toBeLessThanOrEqual(MAX_VARIANTS);
    // The newest variants are kept.
    const last = await get(`${running.url}/page`, { 'user-agent': 'bot-199' });
    expect([last.headers['x-cache-status'], last.body]).toEqual(['HIT', 'for bot-199']);
  });
});

describe('cache with compression', () => {
  const TEXT = '<p>compressible text</p>\n'.repeat(200);

  it('never serves a compressed variant to a client without Accept-Encoding after "*, *;q=0" (the highest weight of a repeated coding wins, in both readings)', async () => {
    const backend = await startBackend((_q, res) => {
      res.setHeader('Content-Type', 'text/html');
      res.end(TEXT);
    });
    const { url } = await cachedProxy(backend.address, {}, { compress: {} });
    const attack = await get(`${url}/page`, { 'accept-encoding': '*, *;q=0' });
    expect(attack.status).toBe(200);
    const victim = await get(`${url}/page`);
    expect(victim.headers['content-encoding']).toBeUndefined();
    expect(victim.body).toBe(TEXT);
  });
});

describe('cache revalidation of a compressed variant', () => {
  const TEXT = '<p>compressible text</p>\n'.repeat(200);

  it('keeps the stored gzip variant\u2019s ETag weak when a 304 revalidates it (the upstream\u2019s strong tag names the identity bytes)', async () => {
    let conditional = 0;
    const backend = await startBackend((q, res) => {
      res.setHeader('ETag', '"v1"');
      res.setHeader('Cache-Control', 'max-age=1');
      if (q.headers['if-none-match'] !== undefined) {
        conditional++;
        res.statusCode = 304;
        res.end();
        return;
      }
      res.setHeader('Content-Type', 'text/html');
      res.end(TEXT);
    });
    const { url } = await cachedProxy(backend.address, {}, { compress: { encodings: ['gzip'] } });
    const first = await get(`${url}/page`, { 'accept-encoding': 'gzip' });
    expect([first.headers['content-encoding'], first.headers.etag]).toEqual(['gzip', 'W/"v1"']);
    await new Promise((r) => setTimeout(r, 1100)); // max-age=1 runs out
    const again = await get(`${url}/page`, { 'accept-encoding': 'gzip' });
    expect(conditional).toBe(1);
    expect([again.headers['x-cache-status'], again.headers['content-encoding'], again.headers.etag]).toEqual(['REVALIDATED', 'gzip', 'W/"v1"']);
    const hit = await get(`${url}/page`, { 'accept-encoding': 'gzip' });
    expect([hit.headers['x-cache-status'], hit.headers.etag]).toEqual(['HIT', 'W/"v1"']);
  });
});

describe('cache memory while storing', () => {
  it('bounds the bytes of responses being stored at once: many large misses for distinct keys do not each buffer a whole entry', async () => {
    const SIZE = 4 * 1024 * 1024;
    const body = Buffer.alloc(SIZE, 'a');
    const held: ServerResponse[] = [];
    const backend = await startBackend((_q, res) => {
      res.setHeader('Content-Type', 'application/octet-stream');
      res.setHeader('Content-Length', String(SIZE + 1));
      res.write(body);
      held.push(res); // the last byte comes once the test has measured
    });
    const running = await startProxy({
      caches: { c: { maxSize: '8m', maxEntrySize: '8m' } },
      upstreams: { app: { servers: [{ address: backend.address }] } },
      routes: [{ proxy: { upstream: 'app' }, cache: { zone: 'c', valid: [{ for: '1m' }] } }],
    });
    const CLIENTS = 20;
    const received: Promise<void>[] = [];
    const done: Promise<void>[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      let gotAll: () => void;
      received.push(new Promise<void>((r) => (gotAll = r)));
      done.push(
        new Promise<void>((resolve, reject) => {
          http
            .get(`${running.url}/big?n=${i}`, { agent: false }, (res) => {
              let n = 0;
              res.on('data', (c: Buffer) => {
                n += c.length;
                if (n >= SIZE) gotAll();
              });
              res.on('end', resolve);
              res.on('error', reject);
            })
            .on('error', reject);
        }),
      );
    }
    await Promise.all(received);
    // What the zone holds for the 20 responses being stored, by its own count: unbounded, 80 MiB.
    // (Process-wide Buffer bytes measured this too, 8 MB on Node 20, but on Node 26 they include
    // the in-process clients' uncollected chunks: 62 MB.)
    const holding = (running.proxy.runtime.caches.get('c') as unknown as { writingBytes: number }).writingBytes;
    for (const res of held) res.end('a');
    await Promise.all(done);
    expect(holding).toBeGreaterThan(0);
    expect(holding).toBeLessThanOrEqual(8 * 1024 * 1024);
  });
});

describe('conditional requests answered from the cache', () => {
  it('answers "If-None-Match: *" with 304 from an entry without an ETag (RFC 9110 13.1.2: any current representation matches)', async () => {
    const backend = await startBackend((_q, res) => res.end('page'));
    const { url } = await cachedProxy(backend.address);
    await get(`${url}/page`);
    const star = await get(`${url}/page`, { 'if-none-match': '*' });
    expect([star.status, star.headers['x-cache-status'], star.body]).toEqual([304, 'HIT', '']);
  });
});
