// Two proxies as the AWS target runs them behind a load balancer: a leader (acme.mode order; no
// ACME server here, so its token set is stubbed) and a follower whose config is the one
// asAcmeFollower renders. On real sockets: a challenge sent to the follower gets the leader's key
// authorization; the follower's TLS listener serves the stand-in, then the certificate the test
// stores as the leader's sync would, then its renewal, as seen in real handshakes.
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { asAcmeFollower } from '../../infra/targets/aws/proxy-tls';
import type { ProxyConfig } from '../../proxy/src/config/schema';
import { resolveConfig } from '../../proxy/src/config/load';
import { createLogger } from '../../proxy/src/log';
import { PorticoProxy } from '../../proxy/src/proxy';
import { freePort } from '../helpers/free-port';
import { rawUpstream } from '../helpers/raw-upstream';
import { registerCleanup, request, startBackend } from '../helpers/servers';
import { certDir, makeCertificate } from '../helpers/tls-certs';

const HOST = 'www.portico.test';

/** The subject CN of the certificate a real handshake gets for HOST. */
function servedName(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: HOST, rejectUnauthorized: false }, () => {
      const subject = socket.getPeerX509Certificate()!.subject;
      socket.destroy();
      resolve(/CN=([^\n]+)/.exec(subject)![1]);
    });
    socket.once('error', reject);
  });
}

/** Handshakes until the served CN is `cn` (bounded): the follower re-reads on a timer. */
async function awaitServed(port: number, cn: string, deadlineMs = 3000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await servedName(port);
    if (last === cn) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`still serving "${last}", not "${cn}"`);
}

async function storeAsLeader(storage: string, cn: string): Promise<void> {
  const made = makeCertificate(certDir(), cn.replace(/\W/g, '-'), [HOST], { cn });
  await mkdir(path.join(storage, HOST), { recursive: true });
  await writeFile(path.join(storage, HOST, 'key.pem'), await readFile(made.key));
  await writeFile(path.join(storage, HOST, 'cert.pem'), await readFile(made.cert));
}

async function start(config: ProxyConfig): Promise<PorticoProxy> {
  const proxy = await PorticoProxy.start(resolveConfig(config, 'test'), {
    logger: createLogger('silent'),
    shutdownGraceMs: 100,
    acmeIssuer: { networkRetries: 1, networkRetryDelaySeconds: 0.01 },
  });
  registerCleanup(() => proxy.close(100));
  return proxy;
}

async function tempStorage(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portico-follow-'));
  registerCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** One proxy's config: plain (redirecting to https) and TLS listeners, ACME for HOST, the app. */
async function baseConfig(storage: string, app: string): Promise<ProxyConfig> {
  return {
    listeners: [
      { host: '127.0.0.1', port: await freePort(), redirectToHttps: true },
      { host: '127.0.0.1', port: await freePort(), tls: { acme: true } },
    ],
    // Nothing listens on port 9: the leader's orders fail at once and wait an hour.
    acme: { hostnames: [HOST], directory: 'https://127.0.0.1:9/dir', storage, retryMin: '1h' },
    upstreams: { app: { servers: [{ address: app }] } },
    routes: [{ proxy: { upstream: 'app' } }],
    admin: { listen: `127.0.0.1:${await freePort()}` },
    log: { level: 'silent' },
  };
}

describe('ACME leader and follower proxies', () => {
  it("answers a challenge that reaches the follower with the leader's key authorization; other paths still redirect", async () => {
    const app = await startBackend((req, res) => res.end(`app ${req.url}`));
    const leader = await start(await baseConfig(await tempStorage(), app.address));
    leader.acmeChallenges!.set('tok-EN_1', 'tok-EN_1.thumbprint');
    const leaderHttp = leader.addresses()[0];
    const follower = await start(asAcmeFollower(await baseConfig(await tempStorage(), app.address), `127.0.0.1:${leaderHttp.port}`));
    expect(follower.acmeChallenges).toBeNull(); // it answers none itself
    const followerHttp = follower.addresses()[0].port;

    const answer = await request(`http://127.0.0.1:${followerHttp}/.well-known/acme-challenge/tok-EN_1`, { headers: { host: HOST } });
    expect([answer.status, answer.body.toString()]).toEqual([200, 'tok-EN_1.thumbprint']);
    // A token the leader does not hold is its 404, never the app's page.
    const unknown = await request(`http://127.0.0.1:${followerHttp}/.well-known/acme-challenge/other`, { headers: { host: HOST } });
    expect([unknown.status, unknown.body.toString()]).toEqual([404, 'no such ACME challenge\n']);
    // Not a token: not the challenge route, so the redirect applies.
    const dotted = await request(`http://127.0.0.1:${followerHttp}/`, { path: '/.well-known/acme-challenge/../x', headers: { host: HOST } });
    expect(dotted.status).toBe(301);
    expect((await request(`http://127.0.0.1:${followerHttp}/page`, { headers: { host: HOST } })).status).toBe(301);
    expect(app.requests).toHaveLength(0);
  });

  it('answers a challenge with a clear error, never the app and never a hang, when the leader is down, lies or stalls', async () => {
    const app = await startBackend((req, res) => res.end(`app ${req.url}`));
    const challenge = (port: number) => request(`http://127.0.0.1:${port}/.well-known/acme-challenge/tok-X`, { headers: { host: HOST } });
    const followerOf = async (leader: string) => {
      const config = asAcmeFollower(await baseConfig(await tempStorage(), app.address), leader);
      return start({ ...config, timeouts: { connect: '200ms', firstByte: '300ms' } });
    };
    // Down: nothing listens at the leader's address.
    const down = await followerOf(`127.0.0.1:${await freePort()}`);
    expect((await challenge(down.addresses()[0].port)).status).toBe(502);
    // Lies: a head that is no HTTP.
    const liar = await rawUpstream((socket) => socket.end('NOT HTTP AT ALL\r\n\r\n'));
    const lied = await followerOf(liar.address);
    expect((await challenge(lied.addresses()[0].port)).status).toBe(502);
    // Stalls: reads the request, never answers.
    const staller = await rawUpstream(() => undefined);
    const stalled = await followerOf(staller.address);
    expect((await challenge(stalled.addresses()[0].port)).status).toBe(504);
    expect(app.requests).toHaveLength(0);
    // The follower still serves TLS with its stand-in after all three.
    expect(await servedName(stalled.addresses()[1].port)).toMatch(/\S/);
  });

  it("routes a challenge to the leader even when the app's routes name hosts (a host's routes win over host-less ones)", async () => {
    const app = await startBackend((req, res) => res.end(`app ${req.url}`));
    const leader = await start(await baseConfig(await tempStorage(), app.address));
    leader.acmeChallenges!.set('tok-H', 'tok-H.thumbprint');
    const base = await baseConfig(await tempStorage(), app.address);
    const hosted: ProxyConfig = {
      ...base,
      listeners: [{ host: '127.0.0.1', port: await freePort() }],
      routes: [{ match: { host: [HOST] }, proxy: { upstream: 'app' } }, { match: { host: ['*.portico.test'] }, proxy: { upstream: 'app' } }, { proxy: { upstream: 'app' } }],
    };
    const follower = await start(asAcmeFollower(hosted, `127.0.0.1:${leader.addresses()[0].port}`));
    const port = follower.addresses()[0].port;
    for (const host of [HOST, 'api.portico.test', 'elsewhere.test']) {
      const answer = await request(`http://127.0.0.1:${port}/.well-known/acme-challenge/tok-H`, { headers: { host } });
      expect([host, answer.status, answer.body.toString()]).toEqual([host, 200, 'tok-H.thumbprint']);
    }
    expect(app.requests).toHaveLength(0);
  });

  it('serves the stand-in, then the stored certificate, then its renewal; the admin status says it follows', async () => {
    const app = await startBackend((req, res) => res.end(`app ${req.url}`));
    const storage = await tempStorage();
    const config = asAcmeFollower(await baseConfig(storage, app.address), '127.0.0.1:9');
    const follower = await start({ ...config, acme: { ...config.acme!, followInterval: '20ms' } });
    const https = follower.addresses()[1].port;
    expect(await servedName(https)).toBe(HOST); // the self-signed stand-in

    await storeAsLeader(storage, 'leader first');
    await awaitServed(https, 'leader first');
    await storeAsLeader(storage, 'leader renewed');
    await awaitServed(https, 'leader renewed');

    const status = JSON.parse((await request(`http://127.0.0.1:${follower.adminAddress()!.port}/api/status`)).body.toString());
    expect(status.acme[HOST]).toMatchObject({ mode: 'follow', source: 'stored', lastError: null });
    const stored = new X509Certificate(await readFile(path.join(storage, HOST, 'cert.pem')));
    expect(status.acme[HOST].notAfter).toBe(new Date(stored.validTo).toISOString());
  });

  it('re-reads the storage on reload (SIGHUP) without waiting for followInterval, keeping open connections', async () => {
    const app = await startBackend((req, res) => res.end(`app ${req.url}`));
    const storage = await tempStorage();
    const config = asAcmeFollower(await baseConfig(storage, app.address), '127.0.0.1:9');
    const follower = await start(config); // followInterval: the default minute
    const https = follower.addresses()[1].port;
    const open = tls.connect({ host: '127.0.0.1', port: https, servername: HOST, rejectUnauthorized: false });
    registerCleanup(async () => open.destroy());
    await new Promise((r) => open.once('secureConnect', r));

    await storeAsLeader(storage, 'leader first');
    await follower.reload(resolveConfig(config, 'test'));
    await awaitServed(https, 'leader first', 2000);
    expect(open.destroyed).toBe(false);
    expect(open.getPeerX509Certificate()!.subject).toContain(`CN=${HOST}`); // its handshake stays as it was
  });

  it('turns a leader into a follower on reload: challenges are routed, not answered, and the certificate served stays', async () => {
    const app = await startBackend((req, res) => res.end(`app ${req.url}`));
    const storage = await tempStorage();
    await storeAsLeader(storage, 'leader first');
    const config = await baseConfig(storage, app.address);
    const proxy = await start(config);
    expect(await servedName(proxy.addresses()[1].port)).toBe('leader first');
    await proxy.reload(resolveConfig(asAcmeFollower(config, app.address), 'test'));
    expect(proxy.acmeChallenges).toBeNull();
    const routed = await request(`http://127.0.0.1:${proxy.addresses()[0].port}/.well-known/acme-challenge/tok`, { headers: { host: HOST } });
    expect(routed.body.toString()).toBe('app /.well-known/acme-challenge/tok'); // the "leader" here is the app backend
    await awaitServed(proxy.addresses()[1].port, 'leader first', 1000);
  });

  it("refuses an unknown mode and a zero followInterval, naming the field", () => {
    const shape = { listeners: [{ port: 0 }], upstreams: { app: { servers: [{ address: '127.0.0.1:1' }] } }, routes: [{ proxy: { upstream: 'app' } }] };
    expect(() => resolveConfig({ ...shape, acme: { hostnames: [HOST], storage: '/tmp/x', mode: 'lead' } }, 'test')).toThrow(/acme\.mode: expected one of order, follow/);
    expect(() => resolveConfig({ ...shape, acme: { hostnames: [HOST], storage: '/tmp/x', mode: 'follow', followInterval: 0 } }, 'test')).toThrow(/acme\.followInterval: must be more than 0/);
  });
});
