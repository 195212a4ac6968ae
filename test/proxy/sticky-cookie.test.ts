import { createHmac } from 'node:crypto';
import type { ProxyConfig } from '../../proxy/src/config/schema';
import { cookiePair, fourServers, get, recordOf, setCookieNamed, tally } from '../helpers/sticky';
import { simpleConfig, startProxy } from '../helpers/servers';

const KEY = 'a-test-key-of-32-characters-long';
type StickyCookie = NonNullable<NonNullable<ProxyConfig['upstreams'][string]['sticky']>['cookie']>;

/** The documented token: HMAC-SHA256(key, server id), base64url, first 22 characters. */
const tokenOf = (id: string, key = KEY) => createHmac('sha256', key).update(id).digest('base64url').slice(0, 22);

async function stickyProxy(cookie: StickyCookie = { key: KEY }) {
  const { backends, servers } = await fourServers();
  const running = await startProxy(simpleConfig(servers, { sticky: { cookie } }));
  return { ...running, backends };
}

describe('sticky cookie', () => {
  it('sets the cookie on a first response, then keeps the client on its server over 100 requests', async () => {
    const { url } = await stickyProxy();
    // Without the cookie: round robin over the four servers.
    expect(await tally(url, 8)).toEqual({ s0: 2, s1: 2, s2: 2, s3: 2 });
    const first = await get(url);
    expect(setCookieNamed(first, 'portico_server')).toBe(`portico_server=${tokenOf(first.server)}`);
    const cookie = cookiePair(first);
    for (let i = 0; i < 100; i++) {
      const reply = await get(url, { cookie });
      expect(reply.server).toBe(first.server);
      expect(setCookieNamed(reply, 'portico_server')).toBeNull(); // a valid cookie is not set again
    }
  });

  it('moves a client whose server died, sets the cookie to the new server, and keeps it there', async () => {
    const { url, backends } = await stickyProxy();
    const first = await get(url);
    const cookie = cookiePair(first);
    await backends[Number(first.server.slice(1))].close();
    // The bound server refuses: the request is retried on another one, whose cookie comes back.
    const moved = await get(url, { cookie });
    expect(moved.status).toBe(200);
    expect(moved.server).not.toBe(first.server);
    expect(setCookieNamed(moved, 'portico_server')).toBe(`portico_server=${tokenOf(moved.server)}`);
    const newCookie = cookiePair(moved);
    expect(await tally(url, 20, { cookie: newCookie })).toEqual({ [moved.server]: 20 });
    // The old cookie (its server now unavailable) is balanced and re-set every time, never a failure.
    const again = await get(url, { cookie });
    expect(again.status).toBe(200);
    expect(again.server).not.toBe(first.server);
    expect(setCookieNamed(again, 'portico_server')).toBe(`portico_server=${tokenOf(again.server)}`);
  });

  it.each([
    ['down', 'admin'],
    ['unhealthy', 'active'],
    ['checking', 'active'],
  ] as const)('moves a client whose server is %s and re-sets the cookie', async (state, cause) => {
    const { url, proxy } = await stickyProxy();
    const cookie = `portico_server=${tokenOf('s2')}`;
    expect((await get(url, { cookie })).server).toBe('s2');
    recordOf(proxy, 's2').transition(state, cause, 'test');
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const reply = await get(url, { cookie });
      seen.add(reply.server);
      expect(setCookieNamed(reply, 'portico_server')).toBe(`portico_server=${tokenOf(reply.server)}`);
    }
    expect(seen.has('s2')).toBe(false);
    expect(seen.size).toBe(3); // balanced as if unbound
  });

  it('moves a client whose server has maxConns in use', async () => {
    const { backends, servers } = await fourServers();
    const { url, proxy } = await startProxy(simpleConfig(servers.map((s) => ({ ...s, maxConns: 1 })), { sticky: { cookie: { key: KEY } } }));
    const cookie = `portico_server=${tokenOf('s1')}`;
    recordOf(proxy, 's1').active = 1; // as if a request were in flight there
    const reply = await get(url, { cookie });
    expect(reply.server).not.toBe('s1');
    expect(setCookieNamed(reply, 'portico_server')).toBe(`portico_server=${tokenOf(reply.server)}`);
    recordOf(proxy, 's1').active = 0;
    expect((await get(url, { cookie })).server).toBe('s1');
    expect(backends).toHaveLength(4);
  });

  it('moves a client whose server left the config on reload', async () => {
    const { backends, servers } = await fourServers();
    const { url, proxy } = await startProxy(simpleConfig(servers, { sticky: { cookie: { key: KEY } } }));
    const cookie = `portico_server=${tokenOf('s3')}`;
    expect((await get(url, { cookie })).server).toBe('s3');
    const { resolveConfig } = await import('../../proxy/src/config/load');
    await proxy.reload(
      resolveConfig({ listeners: [{ port: proxy.addresses()[0].port, host: '127.0.0.1' }], log: { level: 'silent' }, ...simpleConfig(servers.slice(0, 3), { sticky: { cookie: { key: KEY } } }) }, 'test'),
    );
    const reply = await get(url, { cookie });
    expect(reply.server).not.toBe('s3');
    expect(setCookieNamed(reply, 'portico_server')).toBe(`portico_server=${tokenOf(reply.server)}`);
    expect(backends).toHaveLength(4);
  });

  it('writes every configured attribute exactly, and no attribute that is not configured', async () => {
    const full = await stickyProxy({ key: KEY, name: 'srv', expires: '1h', domain: 'example.com', path: '/app', httpOnly: true, secure: true, sameSite: 'lax' });
    const a = await get(full.url);
    expect(setCookieNamed(a, 'srv')).toBe(`srv=${tokenOf(a.server)}; Max-Age=3600; Domain=example.com; Path=/app; HttpOnly; Secure; SameSite=Lax`);

    const bare = await stickyProxy({ key: KEY });
    const b = await get(bare.url);
    expect(setCookieNamed(b, 'portico_server')).toBe(`portico_server=${tokenOf(b.server)}`); // a session cookie, no attributes

    const max = await stickyProxy({ key: KEY, expires: 'max', sameSite: 'none', secure: true });
    const c = await get(max.url);
    expect(setCookieNamed(c, 'portico_server')).toBe(`portico_server=${tokenOf(c.server)}; Max-Age=315360000; Secure; SameSite=None`);

    const strict = await stickyProxy({ key: KEY, sameSite: 'strict', path: '/' });
    const d = await get(strict.url);
    expect(setCookieNamed(d, 'portico_server')).toBe(`portico_server=${tokenOf(d.server)}; Path=/; SameSite=Strict`);
  });

  it('keeps the upstream’s own Set-Cookie headers beside its cookie', async () => {
    const { startBackend } = await import('../helpers/servers');
    const app = await startBackend((_q, res) => {
      res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2']);
      res.end('app');
    });
    const { url } = await startProxy(simpleConfig([{ address: app.address, id: 'only' }], { sticky: { cookie: { key: KEY } } }));
    const reply = await get(url);
    expect(reply.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2', `portico_server=${tokenOf('only')}`]);
  });

  describe('ignores a cookie it did not issue: balanced, cookie re-set, never a failure', () => {
    const other = 'another-key-that-is-long-enough';
    const cases: [string, string][] = [
      ['a forged value', 'portico_server=AAAAAAAAAAAAAAAAAAAAAA'],
      ['a token signed with another key', `portico_server=${tokenOf('s1', other)}`],
      ['a truncated token', `portico_server=${tokenOf('s1').slice(0, 21)}`],
      ['a token with a character more', `portico_server=${tokenOf('s1')}A`],
      ['a token for a server not in the upstream', `portico_server=${tokenOf('s9')}`],
      ['the server id itself', 'portico_server=s1'],
      ['an empty value', 'portico_server='],
      ['a lone quote', 'portico_server="'],
      ['a huge value', `portico_server=${'x'.repeat(12_000)}`],
      ['a thousand other cookies', Array.from({ length: 1000 }, (_, i) => `c${i}=v`).join('; ')],
      ['three hundred forged duplicates', Array.from({ length: 300 }, () => 'portico_server=AAAAAAAAAAAAAAAAAAAAAA').join('; ')],
      // Only the first few values of one name count: a valid one behind hundreds of forged ones is not looked for.
      ['a valid token behind many forged ones', `${Array.from({ length: 100 }, () => 'portico_server=x').join('; ')}; portico_server=${tokenOf('s1')}`],
      ['no name', '=; ;;=x; portico_server'],
      ['non-ASCII bytes', 'portico_server=\u00ff\u00fe\u00fd'],
    ];
    it.each(cases)('%s', async (_label, cookie) => {
      const { url } = await stickyProxy();
      const seen = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const reply = await get(url, { cookie });
        expect(reply.status).toBe(200);
        seen.add(reply.server);
        expect(setCookieNamed(reply, 'portico_server')).toBe(`portico_server=${tokenOf(reply.server)}`);
      }
      expect(seen.size).toBe(4);
    });
  });

  it('accepts a valid token quoted, or among other and duplicate cookies', async () => {
    const { url } = await stickyProxy();
    const token = tokenOf('s2');
    for (const cookie of [`portico_server="${token}"`, `a=1; portico_server=${token}; b=2`, `portico_server=forged; portico_server=${token}`, ` portico_server = ${token} `]) {
      expect(await tally(url, 4, { cookie })).toEqual({ s2: 4 });
    }
  });

  it('gives the same value on two proxies sharing the key, and the cookie outlives a proxy restart', async () => {
    const { servers } = await fourServers();
    const config = simpleConfig(servers, { sticky: { cookie: { key: KEY } } });
    const one = await startProxy(config);
    const two = await startProxy(config);
    const fromOne = new Map<string, string>();
    const fromTwo = new Map<string, string>();
    for (let i = 0; i < 4; i++) {
      const a = await get(one.url);
      fromOne.set(a.server, cookiePair(a));
      const b = await get(two.url);
      fromTwo.set(b.server, cookiePair(b));
    }
    expect(fromOne.size).toBe(4);
    expect(fromTwo).toEqual(fromOne);
    // A cookie from proxy one works on proxy two, and on a new proxy after one is gone.
    const cookie = fromOne.get('s3')!;
    expect(await tally(two.url, 5, { cookie })).toEqual({ s3: 5 });
    await one.proxy.close(0);
    const restarted = await startProxy(config);
    expect(await tally(restarted.url, 5, { cookie })).toEqual({ s3: 5 });
  });

  it('keeps bound clients on a draining server and never sends it a new client', async () => {
    const { url, proxy } = await stickyProxy();
    const bound = `portico_server=${tokenOf('s1')}`;
    recordOf(proxy, 's1').transition('draining', 'admin', 'test');
    expect(await tally(url, 20, { cookie: bound })).toEqual({ s1: 20 });
    const fresh = await tally(url, 30);
    expect(fresh.s1).toBeUndefined();
    expect(Object.keys(fresh).sort()).toEqual(['s0', 's2', 's3']);
    // A bound client's answers from the draining server carry no new cookie.
    expect(setCookieNamed(await get(url, { cookie: bound }), 'portico_server')).toBeNull();
  });
});
