// proxy_cache_lock: concurrent misses for one key make one upstream request.
import http from 'node:http';
import { startBackend } from '../helpers/servers';
import { cachedProxy, get } from './cache-support';

describe('cache lock', () => {
  it('sends 100 concurrent requests for a cold key to the upstream once', async () => {
    const backend = await startBackend((_q, res) => setTimeout(() => res.end('filled'), 50));
    const { url } = await cachedProxy(backend.address);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 100 });
    const replies = await Promise.all(
      Array.from({ length: 100 }, () =>
        new Promise<{ status: string; body: string }>((resolve, reject) => {
          http.get(`${url}/cold`, { agent }, (res) => {
            let body = '';
            res.on('data', (c) => (body += c));
            res.on('end', () => resolve({ status: String(res.headers['x-cache-status']), body }));
          }).on('error', reject);
        }),
      ),
    );
    agent.destroy();
    expect(backend.requests).toHaveLength(1);
    expect(replies.every((r) => r.body === 'filled')).toBe(true);
    expect(replies.filter((r) => r.status === 'MISS')).toHaveLength(1);
    expect(replies.filter((r) => r.status === 'HIT')).toHaveLength(99);
  });

  it('lets waiters go upstream after lockTimeout, without storing their answers', async () => {
    let n = 0;
    const backend = await startBackend((_q, res) => {
      const id = ++n;
      setTimeout(() => res.end(`answer ${id}`), id === 1 ? 300 : 0);
    });
    const { url } = await cachedProxy(backend.address, { lockTimeout: '30ms' });
    const holder = get(`${url}/slow`);
    await new Promise((r) => setTimeout(r, 10)); // the holder's request is on its way
    const waiter = await get(`${url}/slow`);
    expect([waiter.headers['x-cache-status'], waiter.body]).toEqual(['MISS', 'answer 2']);
    expect((await holder).body).toBe('answer 1');
    const hit = await get(`${url}/slow`);
    expect([hit.headers['x-cache-status'], hit.body]).toEqual(['HIT', 'answer 1']);
  });

  it('sends each request upstream when lock is off', async () => {
    const backend = await startBackend((_q, res) => setTimeout(() => res.end('x'), 30));
    const { url } = await cachedProxy(backend.address, { lock: false });
    await Promise.all(Array.from({ length: 5 }, () => get(`${url}/k`)));
    expect(backend.requests).toHaveLength(5);
  });

  it('releases waiters when the holder answer is not cacheable, and when its client goes away', async () => {
    let n = 0;
    const backend = await startBackend((_q, res) => {
      res.setHeader('Cache-Control', 'no-store');
      setTimeout(() => res.end(`v${++n}`), 20);
    });
    const { url } = await cachedProxy(backend.address, { lockTimeout: '5s' });
    const started = Date.now();
    const replies = await Promise.all(Array.from({ length: 5 }, () => get(`${url}/nostore`)));
    expect(Date.now() - started).toBeLessThan(2000); // nobody waited for the lock timeout
    expect(replies.every((r) => r.headers['x-cache-status'] === 'MISS')).toBe(true);

    // A holder whose client leaves: the waiter is not stuck behind it.
    const slow = await startBackend((q, res) => setTimeout(() => res.end('late'), q.headers['x-first'] ? 10_000 : 0));
    const p2 = await cachedProxy(slow.address, { lockTimeout: '5s' });
    const leaving = http.get(`${p2.url}/gone`, { headers: { 'x-first': '1' }, agent: false });
    leaving.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 30));
    const waiting = get(`${p2.url}/gone`);
    await new Promise((r) => setTimeout(r, 30));
    leaving.destroy();
    const t0 = Date.now();
    expect((await waiting).body).toBe('late');
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
