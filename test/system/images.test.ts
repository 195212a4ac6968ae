// The two images, built from their Dockerfiles and run together: three app containers behind the
// proxy container on a private bridge network, the proxy published on 127.0.0.1 only.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CONFIG_DEFAULTS } from '../../infra/config';
import { DEFAULT_BASE_IMAGE } from '../../infra/targets/docker';
import { buildImage, describeWithDocker, docker, DockerSandbox, inspectImage, nodeImageArg, waitFor } from '../helpers/docker';

const PROXY_IMAGE = 'portico/proxy:test';
const APP_IMAGE = 'portico/app-sample:test';
const APPS = ['app-1', 'app-2', 'app-3'];

interface Reply {
  status: number;
  instance: string | undefined;
  body: string;
}

/** One request on a fresh connection (no client keep-alive: each request is balanced on its own). */
function get(port: number, p: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, agent: false, timeout: 15_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, instance: res.headers['x-instance'] as string | undefined, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${p}: no answer in 15 s`)));
    req.on('error', reject);
  });
}

// Infra passes NODE_IMAGE explicitly, so a default changed in one place only would go unnoticed.
test.each(['proxy/Dockerfile', 'app-sample/Dockerfile'])("%s's NODE_IMAGE default is the infra default", (file) => {
  const dockerfile = readFileSync(path.resolve(__dirname, '../..', file), 'utf8');
  const declared = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
  expect(declared).toBe(DEFAULT_BASE_IMAGE);
  expect(declared).toBe(CONFIG_DEFAULTS.baseImage);
});

describeWithDocker('images: proxy in front of three app containers', () => {
  const sandbox = new DockerSandbox('portico-images');
  let configDir: string | undefined;
  let proxyPort = 0;
  const containerOf: Record<string, string> = {};

  beforeAll(async () => {
    // one at a time: both share the cached `npm ci` layer, and the machine has 2 cores
    await buildImage({ dockerfile: 'proxy/Dockerfile', tag: PROXY_IMAGE });
    await buildImage({ dockerfile: 'app-sample/Dockerfile', tag: APP_IMAGE });

    const network = await sandbox.createNetwork();
    for (const id of APPS) {
      // reached by the proxy through its alias on the sandbox network (unique network, fixed names)
      containerOf[id] = await sandbox.run({ name: id, image: APP_IMAGE, network, aliases: [id], env: { INSTANCE_ID: id, PORT: '3000' }, healthInterval: '1s' });
    }

    const config = {
      listeners: [{ port: 8080, host: '0.0.0.0' }],
      upstreams: { app: { servers: APPS.map((id) => ({ address: `${id}:3000` })) } },
      routes: [{ proxy: { upstream: 'app' } }],
    };
    configDir = mkdtempSync(path.join(tmpdir(), 'portico-images-'));
    const configFile = path.join(configDir, 'config.json');
    writeFileSync(configFile, JSON.stringify(config, null, 2), { mode: 0o644 });
    containerOf.proxy = await sandbox.run({
      name: 'proxy',
      image: PROXY_IMAGE,
      network,
      publish: [8080],
      mounts: [{ source: configFile, target: '/etc/portico/config.json', readOnly: true }],
      healthInterval: '1s',
    });
    proxyPort = await sandbox.hostPort(containerOf.proxy, 8080);

    await Promise.all(Object.values(containerOf).map((c) => sandbox.waitHealthy(c, 30_000)));
  }, 300_000);

  afterAll(async () => {
    await sandbox.dispose();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  }, 60_000);

  it('images run as the node user, exec-form, with a healthcheck, and carry no node_modules', async () => {
    const base = await nodeImageArg();
    const baseSize = base ? (await inspectImage(base)).size : undefined;
    for (const [ref, cmd, ports] of [
      [PROXY_IMAGE, ['node', '/app/dist/portico-proxy.js'], ['8080/tcp', '8443/tcp']],
      [APP_IMAGE, ['node', '/app/dist/app-sample.js'], ['3000/tcp']],
    ] as const) {
      const image = await inspectImage(ref);
      expect(image.user).toBe('node');
      expect(image.cmd).toEqual(cmd);
      expect(image.exposedPorts.sort()).toEqual([...ports]);
      expect(image.healthcheck?.[0]).toBe('CMD');
      // the bundle and a few assets on top of the base: well under 20 MB (node_modules is ~250 MB)
      if (baseSize !== undefined) expect(image.size - baseSize).toBeLessThan(20e6);
    }
    expect((await inspectImage(PROXY_IMAGE)).env).toContain('PORTICO_CONFIG=/etc/portico/config.json');
    const listing = await docker(['run', '--rm', '--entrypoint', 'ls', APP_IMAGE, '/app', '/app/client-dist', '/app/app-sample/public']);
    expect(listing).not.toMatch(/node_modules/);
    expect(listing).toMatch(/socket\.io\.js/);
    expect(listing).toMatch(/index\.html/);
  }, 60_000);

  it('serves the page, its assets and the Socket.IO client through the proxy', async () => {
    const page = await get(proxyPort, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script src="/socket.io/socket.io.js"></script>');
    for (const asset of ['/app.js', '/style.css', '/logo.svg', '/socket.io/socket.io.js']) {
      expect((await get(proxyPort, asset)).status).toBe(200);
    }
  });

  it('spreads requests over the three instances', async () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const reply = await get(proxyPort, '/api/whoami');
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body).instance).toBe(reply.instance);
      seen.set(reply.instance!, (seen.get(reply.instance!) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual(APPS);
    // round robin, the default: an even spread
    for (const count of seen.values()) expect(count).toBe(10);
  });

  it('keeps answering when an app container is killed (retry on the next server)', async () => {
    await docker(['kill', containerOf['app-2']]);
    const t0 = Date.now();
    const instances = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const reply = await get(proxyPort, '/api/whoami');
      expect(reply.status).toBe(200);
      instances.add(reply.instance!);
    }
    expect([...instances].sort()).toEqual(['app-1', 'app-3']);
    expect(Date.now() - t0).toBeLessThan(20_000);
  }, 60_000);

  it('an app container stops gracefully on `docker stop` (SIGTERM reaches node, exit 0)', async () => {
    const t0 = Date.now();
    await docker(['stop', '--time', '8', containerOf['app-3']]);
    // a shell-form CMD would not pass SIGTERM on: docker would wait the 8 s, then SIGKILL (137)
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(await docker(['inspect', '--format', '{{.State.ExitCode}}', containerOf['app-3']])).toBe('0');
    const logs = await sandbox.logs(containerOf['app-3']);
    expect(logs).toMatch(/\[app-3\] shutdown requested signal=SIGTERM/);

    await waitFor(async () => (await get(proxyPort, '/api/whoami')).instance === 'app-1', { timeoutMs: 10_000, what: 'app-1 alone answers' });
    for (let i = 0; i < 5; i++) expect((await get(proxyPort, '/healthz')).instance).toBe('app-1');
  }, 30_000);
});
