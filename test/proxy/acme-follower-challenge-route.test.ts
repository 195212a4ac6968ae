// A proxy in acme.mode follow whose routes would not send /.well-known/acme-challenge/<token> to
// the ordering proxy says so in one warning line, at start and on every reload; the config
// asAcmeFollower renders, and a proxy that orders, get none. Real proxies, a captured logger.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { asAcmeFollower } from '../../infra/targets/aws/proxy-tls';
import { resolveConfig } from '../../proxy/src/config/load';
import type { ProxyConfig } from '../../proxy/src/config/schema';
import { PorticoProxy } from '../../proxy/src/proxy';
import { registerCleanup, request, startBackend } from '../helpers/servers';

const HOST = 'www.portico.test';
const OTHER = 'api.portico.test';
const LEADER = '127.0.0.1:9'; // never reached: only the routing is under test

interface LogLine {
  level: number;
  msg: string;
  hostnames?: string[];
}

async function start(config: ProxyConfig): Promise<{ proxy: PorticoProxy; warnings: () => LogLine[] }> {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const proxy = await PorticoProxy.start(resolveConfig(config, 'test'), { logger, shutdownGraceMs: 50 });
  registerCleanup(() => proxy.close(50));
  const warnings = () => lines.filter((l) => l.level === 40 && l.msg.includes('acme-challenge'));
  return { proxy, warnings };
}

async function followerConfig(app: string, routes: ProxyConfig['routes'] = [{ proxy: { upstream: 'app' } }]): Promise<ProxyConfig> {
  const storage = await mkdtemp(path.join(os.tmpdir(), 'portico-challenge-route-'));
  registerCleanup(() => rm(storage, { recursive: true, force: true }));
  return {
    listeners: [{ host: '127.0.0.1', port: 0 }],
    acme: { hostnames: [HOST, OTHER], storage, mode: 'follow' },
    upstreams: { app: { servers: [{ address: app }] } },
    routes,
    log: { level: 'silent' },
  };
}

describe('acme follower without a challenge route', () => {
  it('warns once at start and again on reload, naming the hosts and the fix, while challenges indeed reach the app', async () => {
    const app = await startBackend((req, res) => res.end(`app ${req.url}`));
    const config = await followerConfig(app.address);
    const { proxy, warnings } = await start(config);
    expect(warnings()).toHaveLength(1);
    const [warning] = warnings();
    expect(warning.hostnames).toEqual([HOST, OTHER]);
    expect(warning.msg).toContain(`a challenge for ${HOST}, ${OTHER} (GET /.well-known/acme-challenge/<token> on a plain listener) reaches the app or a 404`);
    expect(warning.msg).toContain("proxying to an upstream whose server is the ordering proxy's plain listener");
    const challenge = await request(`http://127.0.0.1:${proxy.addresses()[0].port}/.well-known/acme-challenge/tok`, { headers: { host: HOST } });
    expect(challenge.body.toString()).toBe('app /.well-known/acme-challenge/tok'); // what the warning is about

    await proxy.reload(resolveConfig(config, 'test'));
    expect(warnings()).toHaveLength(2);
    // Fixed by reload: the route asAcmeFollower renders; no further warning.
    await proxy.reload(resolveConfig(asAcmeFollower(config, LEADER), 'test'));
    expect(warnings()).toHaveLength(2);
  });

  it('names only the host whose own routes miss the challenge route (a host-less challenge route does not reach them)', async () => {
    const app = await startBackend((_req, res) => res.end('app'));
    const routes: ProxyConfig['routes'] = [
      { match: { pathRegex: '^/\\.well-known/acme-challenge/[A-Za-z0-9_-]+$' }, proxy: { upstream: 'leader' } },
      { match: { host: [OTHER] }, proxy: { upstream: 'app' } },
      { proxy: { upstream: 'app' } },
    ];
    const config = await followerConfig(app.address, routes);
    const { warnings } = await start({ ...config, upstreams: { ...config.upstreams, leader: { servers: [{ address: LEADER }] } } });
    expect(warnings().map((w) => w.hostnames)).toEqual([[OTHER]]);
    expect(warnings()[0].msg).toContain(`a challenge for ${OTHER} (GET`);
  });

  it('warns about a challenge route that redirects instead of proxying', async () => {
    const app = await startBackend((_req, res) => res.end('app'));
    const routes: ProxyConfig['routes'] = [
      { match: { path: '/.well-known/acme-challenge/' }, redirect: { location: 'https://elsewhere.test/', status: 302 } },
      { proxy: { upstream: 'app' } },
    ];
    const { warnings } = await start(await followerConfig(app.address, routes));
    expect(warnings()).toHaveLength(1);
  });
});

describe('acme configs that route challenges', () => {
  it('says nothing for the follower config asAcmeFollower renders, with hosts of their own', async () => {
    const app = await startBackend((_req, res) => res.end('app'));
    const config = await followerConfig(app.address, [{ match: { host: [OTHER] }, proxy: { upstream: 'app' } }, { proxy: { upstream: 'app' } }]);
    const { proxy, warnings } = await start(asAcmeFollower(config, LEADER));
    await proxy.reload(resolveConfig(asAcmeFollower(config, LEADER), 'test'));
    expect(warnings()).toEqual([]);
  });

  it('says nothing for a proxy that orders (it answers the challenges itself)', async () => {
    const app = await startBackend((_req, res) => res.end('app'));
    const config = await followerConfig(app.address);
    const { warnings } = await start({ ...config, acme: { ...config.acme!, mode: 'order', directory: 'https://127.0.0.1:9/dir', retryMin: '1h' } });
    expect(warnings()).toEqual([]);
  });
});
