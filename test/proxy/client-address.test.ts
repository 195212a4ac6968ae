// The real client address (X-Forwarded-For from a trusted proxy) is known before routing, so every
// route sees it: redirects, header rules, hashing.
import { request, startBackend, startProxy } from '../helpers/servers';

describe('real client address', () => {
  it('is resolved for a redirect route too', async () => {
    // Before: only proxied routes learned it, while building the upstream headers.
    const { url } = await startProxy({
      upstreams: { app: { servers: [{ address: '127.0.0.1:9' }] } },
      routes: [{ redirect: { location: 'https://example.test/?from=$remote_addr' } }],
      trustedProxies: ['127.0.0.1/32'],
    });
    const reply = await request(url, { headers: { 'x-forwarded-for': '198.51.100.7' } });
    expect(reply.status).toBe(302);
    expect(reply.headers.location).toBe('https://example.test/?from=198.51.100.7');
  });

  it('stays the peer when the peer is not trusted', async () => {
    const { url } = await startProxy({
      upstreams: { app: { servers: [{ address: '127.0.0.1:9' }] } },
      routes: [{ redirect: { location: 'https://example.test/?from=$remote_addr' } }],
      trustedProxies: ['10.0.0.0/8'],
    });
    const reply = await request(url, { headers: { 'x-forwarded-for': '198.51.100.7' } });
    expect(reply.headers.location).toBe('https://example.test/?from=127.0.0.1');
  });

  it('keys ip-hash by the address behind a trusted proxy', async () => {
    const names = ['a', 'b', 'c'];
    const backends = await Promise.all(names.map((n) => startBackend((_q, res) => res.end(n))));
    const { url } = await startProxy({
      upstreams: { app: { balance: 'ip-hash', servers: backends.map((b, i) => ({ address: b.address, id: names[i] })) } },
      routes: [{ proxy: { upstream: 'app' } }],
      trustedProxies: ['127.0.0.1/32'],
    });
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) seen.add((await request(url, { headers: { 'x-forwarded-for': `198.51.${i}.7` } })).body.toString());
    expect(seen.size).toBeGreaterThan(1);
    const one = new Set<string>();
    for (let i = 0; i < 10; i++) one.add((await request(url, { headers: { 'x-forwarded-for': '198.51.100.7' } })).body.toString());
    expect(one.size).toBe(1);
  });
});
