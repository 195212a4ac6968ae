// Sticky off costs nothing per request: no policy on the upstream, no link in the response chain.
import type { ProxyConfig } from '../../proxy/src/config/schema';
import { ClientWriter } from '../../proxy/src/forward/client-writer';
import { Dispatch } from '../../proxy/src/forward/dispatch';
import { ResponseRulesHandler } from '../../proxy/src/forward/response-rules-handler';
import { StickyHandler } from '../../proxy/src/forward/sticky-handler';
import { request, simpleConfig, startBackend, startProxy } from '../helpers/servers';

type Upstream = Partial<ProxyConfig['upstreams'][string]>;

/** The response chain and sticky link Dispatch was given for one request through a proxy on `upstream`. */
async function chainFor(upstream: Upstream, routeRules = false): Promise<{ chain: unknown; sticky: unknown; policy: unknown }> {
  const backend = await startBackend();
  const config = simpleConfig([{ address: backend.address, id: 'b', route: 'b' }], upstream);
  if (routeRules) config.routes[0].responseHeaders = { set: { 'x-a': '1' } };
  const { url, proxy } = await startProxy(config);
  const start = jest.spyOn(Dispatch.prototype, 'start');
  try {
    expect((await request(url)).status).toBe(200);
    const dispatch = start.mock.contexts[0] as unknown as { chain: unknown; sticky: unknown };
    return { chain: dispatch.chain, sticky: dispatch.sticky, policy: proxy.runtime.registry.get('app').sticky };
  } finally {
    start.mockRestore();
  }
}

describe('response chain links of sticky sessions', () => {
  it('adds no link and no policy when sticky is off', async () => {
    const off = await chainFor({});
    expect(off.policy).toBeNull();
    expect(off.sticky).toBeNull();
    expect(off.chain).toBeInstanceOf(ClientWriter);
    expect((await chainFor({}, true)).chain).toBeInstanceOf(ResponseRulesHandler);
  });

  it('adds no link for sticky route (nothing to see in answers)', async () => {
    const route = await chainFor({ sticky: { route: { from: ['$cookie_route'] } } });
    expect(route.policy).not.toBeNull();
    expect(route.sticky).toBeNull();
    expect(route.chain).toBeInstanceOf(ClientWriter);
  });

  it.each([
    ['cookie', { cookie: { key: 'k'.repeat(16) } }],
    ['learn', { learn: { cookie: 'connect.sid' } }],
  ] as const)('puts the sticky %s link first in the chain', async (_kind, sticky) => {
    const on = await chainFor({ sticky }, true);
    expect(on.chain).toBeInstanceOf(StickyHandler);
    expect(on.sticky).toBe(on.chain);
  });
});
