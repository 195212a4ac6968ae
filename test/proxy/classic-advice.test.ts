// proxy/examples/classic-advice.yaml: the classic NGINX advice's example config as Portico config,
// valid for the CLI, and doing what the advice says against a real upstream and real folders.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { parse } from 'yaml';
import type { ProxyConfig } from '../../proxy/src/config/schema';
import { runCli } from '../helpers/proxy-process';
import { request, startBackend, startProxy } from '../helpers/servers';

jest.setTimeout(20_000);

const EXAMPLE = join(__dirname, '..', '..', 'proxy', 'examples', 'classic-advice.yaml');
const PAGE = `<html><body>${'<p>a blog post</p>'.repeat(200)}</body></html>`;
const CSS = `body { color: #333; }\n${'.post { margin: 0 auto; }\n'.repeat(100)}`;

/** The example with its upstream, cache directory and asset folders pointed at this test's. */
function localized(address: string): Omit<ProxyConfig, 'listeners'> {
  const config = parse(readFileSync(EXAMPLE, 'utf8')) as ProxyConfig;
  const dir = mkdtempSync(join(tmpdir(), 'portico-classic-'));
  config.upstreams.ghost.servers = [{ address }];
  config.caches!.STATIC.disk!.path = join(dir, 'cache');
  for (const route of config.routes) {
    if (route.static?.alias === undefined) continue;
    const folder = join(dir, route.name!);
    mkdirSync(folder);
    writeFileSync(join(folder, 'style.css'), CSS);
    route.static.alias = `${folder}/`;
  }
  const { listeners: _listeners, ...rest } = config;
  return rest;
}

describe('the classic advice example', () => {
  it('passes --check', async () => {
    const { code, stdout, stderr } = await runCli(['--config', EXAMPLE, '--check']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(`portico-proxy: config ${EXAMPLE} is valid\n`);
  });

  it('caches pages per status, hides cookies and X-Powered-By, exempts the admin, serves asset folders', async () => {
    const ghost = await startBackend((req, res) => {
      const admin = /^\/(?:ghost|signout)/.test(req.url!);
      const status = req.url === '/missing' ? 404 : 200;
      res.writeHead(status, {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-cache, max-age=0', // ignored by the cache
        'Set-Cookie': `ghost-session=${admin ? 'admin' : 'visitor'}; Path=/; HttpOnly`,
        'X-Powered-By': 'Express',
      });
      res.end(PAGE);
    });
    const { url } = await startProxy(localized(ghost.address));
    const upstreamCalls = (path: string) => ghost.requests.filter((r) => r.url === path).length;

    const first = await request(`${url}/`);
    const second = await request(`${url}/`);
    expect(upstreamCalls('/')).toBe(1);
    expect([first.headers['x-cache'], second.headers['x-cache']]).toEqual(['MISS', 'HIT']);
    for (const reply of [first, second]) {
      expect(reply.body.toString()).toBe(PAGE);
      expect(reply.headers['set-cookie']).toBeUndefined();
      expect(reply.headers['x-powered-by']).toBeUndefined();
      expect(reply.headers['cache-control']).toBe('max-age=600');
    }

    expect((await request(`${url}/missing`)).status).toBe(404);
    expect((await request(`${url}/missing`)).headers['x-cache']).toBe('HIT');
    expect(upstreamCalls('/missing')).toBe(1);

    const gzipped = await request(`${url}/`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gzipped.body).toString()).toBe(PAGE);

    for (const path of ['/ghost/', '/ghost/', '/signout']) {
      const admin = await request(`${url}${path}`);
      expect(admin.headers['cache-control']).toBe('no-cache, private, no-store');
      expect(admin.headers['x-cache']).toBeUndefined();
      expect(admin.headers['set-cookie']).toEqual(['ghost-session=admin; Path=/; HttpOnly']); // a login needs its cookie
      expect(admin.headers['x-powered-by']).toBeUndefined();
    }
    expect(upstreamCalls('/ghost/')).toBe(2);

    for (const folder of ['/content/images/', '/assets/', '/public/']) {
      const asset = await request(`${url}${folder}style.css`);
      expect(asset.status).toBe(200);
      expect(asset.body.toString()).toBe(CSS);
      expect(asset.headers['cache-control']).toMatch(/max-age=31536000/);
    }
    expect(ghost.requests.some((r) => r.url.endsWith('style.css'))).toBe(false);
  });
});
