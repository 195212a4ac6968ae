// Cache security: what one client sends must never change what another is served from the cache.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startBackend } from '../helpers/servers';
import { cachedProxy, get } from './cache-support';

/** An app that builds absolute links from the forwarding headers, as many frameworks do. */
function reflectingApp(q: IncomingMessage, res: ServerResponse): void {
  const proto = q.headers['x-forwarded-proto'] ?? 'http';
  const host = q.headers['x-forwarded-host'] ?? q.headers.host;
  res.setHeader('Content-Type', 'text/html');
  res.end(`<script src="${proto}://${host}/app.js"></script>`);
}

describe('cache poisoning', () => {
  it('keys by host: one host never gets another host\u2019s entry', async () => {
    const backend = await startBackend(reflectingApp);
    const { url } = await cachedProxy(backend.address);
    await get(`${url}/page`, { host: 'evil.test' });
    const victim = await get(`${url}/page`, { host: 'victim.test' });
    expect([victim.headers['x-cache-status'], victim.body]).toEqual(['MISS', '<script src="http://victim.test/app.js"></script>']);
  });

  it('ignores a client X-Forwarded-Host: the cached page links to the real host', async () => {
    const backend = await startBackend(reflectingApp);
    const { url } = await cachedProxy(backend.address);
    const attack = await get(`${url}/page`, { host: 'victim.test', 'x-forwarded-host': 'evil.test' });
    expect(attack.body).not.toContain('evil');
    const victim = await get(`${url}/page`, { host: 'victim.test' });
    expect([victim.headers['x-cache-status'], victim.body]).toEqual(['HIT', '<script src="http://victim.test/app.js"></script>']);
  });

  it('ignores a client X-Forwarded-Proto: the cached page keeps the real scheme', async () => {
    const backend = await startBackend(reflectingApp);
    const { url } = await cachedProxy(backend.address);
    await get(`${url}/page`, { host: 'victim.test', 'x-forwarded-proto': 'javascript' });
    const victim = await get(`${url}/page`, { host: 'victim.test' });
    expect([victim.headers['x-cache-status'], victim.body]).toEqual(['HIT', '<script src="http://victim.test/app.js"></script>']);
  });

  it('keeps a Host with a port apart from the bare host (the upstream sees the port)', async () => {
    const backend = await startBackend(reflectingApp);
    const { url } = await cachedProxy(backend.address);
    const attack = await get(`${url}/page`, { host: 'victim.test:6666' });
    expect(attack.body).toContain('victim.test:6666');
    const victim = await get(`${url}/page`, { host: 'victim.test' });
    expect([victim.headers['x-cache-status'], victim.body]).toEqual(['MISS', '<script src="http://victim.test/app.js"></script>']);
  });

  it('never shares an answer to a request with Authorization unless the answer says public', async () => {
    const backend = await startBackend((q, res) => {
      if (q.url === '/public') res.setHeader('Cache-Control', 'public, max-age=60');
      res.end(q.headers.authorization ? 'private data of alice' : 'anonymous');
    });
    const { url } = await cachedProxy(backend.address);
    const alice = await get(`${url}/account`, { authorization: 'Bearer alice' });
    expect([alice.headers['x-cache-status'], alice.body]).toEqual(['BYPASS', 'private data of alice']);
    const anonymous = await get(`${url}/account`);
    expect([anonymous.headers['x-cache-status'], anonymous.body]).toEqual(['MISS', 'anonymous']);
    // Alice is not served the anonymous entry either.
    expect((await get(`${url}/account`, { authorization: 'Bearer alice' })).body).toBe('private data of alice');
    // An answer marked public is shared.
    await get(`${url}/public`, { authorization: 'Bearer alice' });
    const shared = await get(`${url}/public`);
    expect(shared.headers['x-cache-status']).toBe('HIT');
  });

  it("never gives a client another client's Set-Cookie", async () => {
    const backend = await startBackend((q, res) => {
      res.setHeader('Set-Cookie', `session=${q.headers['x-user']}`);
      res.end('page');
    });
    const { url } = await cachedProxy(backend.address, { ignoreHeaders: ['Set-Cookie'] });
    const alice = await get(`${url}/home`, { 'x-user': 'alice' });
    expect(alice.headers['set-cookie']).toEqual(['session=alice']);
    const bob = await get(`${url}/home`, { 'x-user': 'bob' });
    expect([bob.headers['x-cache-status'], bob.headers['set-cookie']]).toEqual(['HIT', undefined]);
    const conditional = await get(`${url}/home`, { 'x-user': 'bob', range: 'bytes=0-1' });
    expect(conditional.headers['set-cookie']).toBeUndefined();
  });
});
