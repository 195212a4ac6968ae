import { fourServers, get, recordOf, setCookies, tally } from '../helpers/sticky';
import { simpleConfig, startProxy } from '../helpers/servers';

/** Four servers with route ids r0..r3, the route taken from a cookie, then a header, then the query. */
async function routeProxy() {
  const { backends, servers } = await fourServers();
  const routed = servers.map((s, i) => ({ ...s, route: `r${i}` }));
  const running = await startProxy(simpleConfig(routed, { sticky: { route: { from: ['$cookie_route', '$http_x_route', '$arg_route'] } } }));
  return { ...running, backends };
}

describe('sticky route', () => {
  it('sends a request to the server whose route a cookie names', async () => {
    const { url } = await routeProxy();
    expect(await tally(url, 10, { cookie: 'a=b; route=r2' })).toEqual({ s2: 10 });
  });

  it('takes the route after the last dot (Tomcat session.jvmRoute)', async () => {
    const { url } = await routeProxy();
    expect(await tally(url, 5, { cookie: 'route=ABC123.def.r1' })).toEqual({ s1: 5 });
  });

  it('sends a request to the server whose route a header names', async () => {
    const { url } = await routeProxy();
    expect(await tally(url, 10, { 'x-route': 'r3' })).toEqual({ s3: 10 });
  });

  it('sends a request to the server whose route the query names', async () => {
    const { url } = await routeProxy();
    expect(await tally(`${url}/page?x=1&route=r0`, 10)).toEqual({ s0: 10 });
  });

  it('takes the first non-empty value in the order configured', async () => {
    const { url } = await routeProxy();
    expect(await tally(`${url}/?route=r0`, 4, { cookie: 'route=r1', 'x-route': 'r2' })).toEqual({ s1: 4 });
    expect(await tally(`${url}/?route=r0`, 4, { cookie: 'route=', 'x-route': 'r2' })).toEqual({ s2: 4 });
  });

  it('balances a request whose route matches no server, or names none, and sets no cookie', async () => {
    const { url } = await routeProxy();
    for (const headers of [{ cookie: 'route=r9' }, { 'x-route': 'nope.' }, {}, { cookie: `route=${'x'.repeat(8000)}` }]) {
      expect(await tally(url, 4, headers)).toEqual({ s0: 1, s1: 1, s2: 1, s3: 1 });
    }
    expect(setCookies(await get(url))).toEqual([]);
  });

  it('balances a request whose routed server is out of service, and keeps routed clients on a draining one', async () => {
    const { url, proxy } = await routeProxy();
    recordOf(proxy, 's1').transition('down', 'admin', 'test');
    expect((await tally(url, 6, { 'x-route': 'r1' })).s1).toBeUndefined();
    recordOf(proxy, 's2').transition('draining', 'admin', 'test');
    expect(await tally(url, 5, { 'x-route': 'r2' })).toEqual({ s2: 5 });
    expect(Object.keys(await tally(url, 8)).sort()).toEqual(['s0', 's3']);
  });
});
