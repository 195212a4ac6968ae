// sticky learn in front of the sample app's real express-session (connect.sid), three instances.
import { startApp, type Running } from '../app-sample/support';
import { registerCleanup, request, simpleConfig, sleep, startProxy } from '../helpers/servers';
import { recordOf, setCookieNamed } from '../helpers/sticky';

async function instances(n: number): Promise<Running[]> {
  const apps = await Promise.all(Array.from({ length: n }, (_, i) => startApp({ instanceId: `app-${i}` })));
  for (const a of apps) registerCleanup(() => a.app.close({ timeoutMs: 100 }));
  return apps;
}

async function learnProxy(learn: { timeout?: string; maxEntries?: number } = {}, n = 3) {
  const apps = await instances(n);
  const servers = apps.map((a, i) => ({ address: `127.0.0.1:${a.port}`, id: `app-${i}` }));
  const running = await startProxy(simpleConfig(servers, { sticky: { learn: { cookie: 'connect.sid', ...learn } } }));
  return { ...running, apps };
}

/** A browser-like client of /api/whoami: it keeps the latest connect.sid it was given. */
class Client {
  cookie = '';
  constructor(private readonly url: string) {}

  async whoami(): Promise<{ instance: string; counter: number }> {
    const reply = await request(`${this.url}/api/whoami`, { headers: this.cookie ? { cookie: this.cookie } : {} });
    expect(reply.status).toBe(200);
    const set = setCookieNamed(reply, 'connect.sid');
    if (set !== null) this.cookie = set.split(';')[0];
    return JSON.parse(reply.body.toString());
  }

  /** Instances that answered `n` requests sent with the cookie as it is now (not updated). */
  async instancesWithFixedCookie(n: number): Promise<Set<string>> {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const reply = await request(`${this.url}/api/whoami`, { headers: { cookie: this.cookie } });
      seen.add(JSON.parse(reply.body.toString()).instance);
    }
    return seen;
  }
}

describe('sticky learn', () => {
  it('follows the session cookie express-session issues: every client keeps its instance and its counter climbs', async () => {
    const { url } = await learnProxy();
    const clients = Array.from({ length: 6 }, () => new Client(url));
    const home = await Promise.all(clients.map((c) => c.whoami().then((w) => w.instance)));
    expect(new Set(home).size).toBe(3); // new sessions are balanced
    for (let round = 2; round <= 10; round++) {
      for (let i = 0; i < clients.length; i++) expect(await clients[i].whoami()).toMatchObject({ instance: home[i], counter: round });
    }
  });

  it('moves a session whose instance stopped, and learns the cookie the new instance sets', async () => {
    const { url, apps } = await learnProxy();
    const client = new Client(url);
    const first = await client.whoami();
    await client.whoami();
    await apps[Number(first.instance.slice(4))].app.close({ timeoutMs: 0 });
    const moved = await client.whoami();
    expect(moved.instance).not.toBe(first.instance);
    expect(moved.counter).toBe(1); // a new session there (the old one died with its instance)
    for (let round = 2; round <= 6; round++) expect(await client.whoami()).toEqual(expect.objectContaining({ instance: moved.instance, counter: round }));
  });

  it('forgets a session unused for longer than the timeout, and keeps one in use', async () => {
    // 500 ms, not less: under a loaded npm test one 50 ms step once stretched past a 200 ms timeout.
    const { url, proxy } = await learnProxy({ timeout: '500ms' });
    const busy = new Client(url);
    const idle = new Client(url);
    await busy.whoami();
    const idleHome = (await idle.whoami()).instance;
    // Used every 50 ms for 600 ms, longer than the timeout: each use renews the entry.
    const busyHome = (await busy.whoami()).instance;
    for (let i = 0; i < 12; i++) {
      await sleep(50);
      expect((await busy.whoami()).instance).toBe(busyHome);
    }
    // The idle session expired: it is a new client again, which a draining server no longer takes.
    recordOf(proxy, idleHome).transition('draining', 'admin', 'test');
    const seen = await idle.instancesWithFixedCookie(4);
    expect(seen.has(idleHome)).toBe(false);
    expect(seen.size).toBe(2);
  });

  it('keeps at most maxEntries sessions, the least recently used going first', async () => {
    const { url, proxy } = await learnProxy({ maxEntries: 2 }, 4);
    const [a, b, c] = [new Client(url), new Client(url), new Client(url)];
    const homeA = (await a.whoami()).instance;
    const homeB = (await b.whoami()).instance;
    await a.whoami(); // a is used again: b is now the least recently used
    const homeC = (await c.whoami()).instance; // a third session: b's entry goes
    expect(proxy.runtime.registry.book.learnTable('app', 600_000, 2).size).toBe(2);
    // Draining tells bound from unbound: a bound client still reaches its draining server, a new one never.
    for (const id of [homeA, homeB, homeC]) recordOf(proxy, id).transition('draining', 'admin', 'test');
    expect(await a.instancesWithFixedCookie(3)).toEqual(new Set([homeA]));
    expect(await c.instancesWithFixedCookie(3)).toEqual(new Set([homeC]));
    expect(await b.instancesWithFixedCookie(3)).toEqual(new Set(['app-3'])); // the one instance taking new clients
  });

  it('balances an unknown, empty or oversized session value and never fails on it', async () => {
    const { url } = await learnProxy();
    for (const cookie of ['connect.sid=s%3Aforged.sig', 'connect.sid=', `connect.sid=${'x'.repeat(5000)}`, 'connect.sid="']) {
      const seen = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const reply = await request(`${url}/api/whoami`, { headers: { cookie } });
        expect(reply.status).toBe(200);
        seen.add(JSON.parse(reply.body.toString()).instance);
      }
      expect(seen.size).toBe(3);
    }
  });
});
