// ACME on two proxies behind one address, end to end against pebble: pebble's HTTP-01 requests go
// to the FOLLOWER's plain listener (as a load balancer may send them), which routes them to the
// leader (the route asAcmeFollower renders); the leader's order succeeds; its stored pair, copied
// into the follower's storage as the AWS sync does (no account key), is what the follower serves.
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { asAcmeFollower } from '../../infra/targets/aws/proxy-tls';
import { resolveConfig } from '../../proxy/src/config/load';
import type { ProxyConfig } from '../../proxy/src/config/schema';
import { createLogger } from '../../proxy/src/log';
import { PorticoProxy } from '../../proxy/src/proxy';
import { freePort } from '../helpers/free-port';
import { describeWithPebble, FAST_ISSUER, servedCertificate as servedFor, startPebble, type Pebble } from '../helpers/pebble';
import { registerCleanup, request, startBackend } from '../helpers/servers';

const HOST = 'www.portico.test';
const servedCertificate = (port: number, servername = HOST) => servedFor(port, servername);


/** Polls `probe` until `done` (the proxies report no event), for at most 15 s. */
async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`never reached: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describeWithPebble('ACME leader and follower (pebble)', () => {
  let pebble: Pebble;
  let validationPort: number;

  beforeAll(async () => {
    validationPort = await freePort();
    pebble = await startPebble(validationPort);
  });
  afterAll(() => pebble?.stop());

  const tempDir = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'portico-acme-follow-'));
    registerCleanup(() => rm(dir, { recursive: true, force: true }));
    return dir;
  };
  const start = async (config: ProxyConfig) => {
    const proxy = await PorticoProxy.start(resolveConfig(config, 'test'), { logger: createLogger('silent'), shutdownGraceMs: 100, acmeIssuer: FAST_ISSUER });
    registerCleanup(() => proxy.close(100));
    return proxy;
  };

  it("issues through a follower's plain listener, and the follower serves the leader's certificate once synced", async () => {
    const app = await startBackend((req, res) => res.end(`app ${req.url}`));
    const [leaderStorage, followerStorage] = [await tempDir(), await tempDir()];
    const shape = (storage: string, httpPort: number, httpsPort: number, adminPort: number): ProxyConfig => ({
      listeners: [
        { host: '127.0.0.1', port: httpPort, redirectToHttps: httpsPort },
        { host: '127.0.0.1', port: httpsPort, tls: { acme: true } },
      ],
      acme: { hostnames: [HOST], email: 'ops@portico.test', directory: pebble.directory, storage, caFile: pebble.caFile, retryMin: '50ms', retryMax: '200ms', followInterval: '20ms' },
      admin: { listen: `127.0.0.1:${adminPort}` },
      upstreams: { app: { servers: [{ address: app.address }] } },
      routes: [{ proxy: { upstream: 'app' } }],
      log: { level: 'silent' },
    });
    // The leader's plain listener is NOT pebble's validation port: only the follower's is.
    const leaderHttp = await freePort();
    const followerPorts = [validationPort, await freePort(), await freePort()] as const;
    const follower = await start(asAcmeFollower(shape(followerStorage, ...followerPorts), `127.0.0.1:${leaderHttp}`));
    const leader = await start(shape(leaderStorage, leaderHttp, await freePort(), await freePort()));

    const leaderStatus = async () => JSON.parse((await request(`http://127.0.0.1:${leader.adminAddress()!.port}/api/status`)).body.toString()).acme[HOST];
    const issued = await until(leaderStatus, (s) => s.source === 'issued');
    expect(issued).toMatchObject({ mode: 'order', failures: 0 });

    // The AWS follower's sync: the pair only, never the account key.
    await mkdir(path.join(followerStorage, HOST), { recursive: true });
    for (const file of ['key.pem', 'cert.pem']) await copyFile(path.join(leaderStorage, HOST, file), path.join(followerStorage, HOST, file));
    const leaderCert = await servedCertificate(leader.addresses()[1].port);
    const served = await until(() => servedCertificate(follower.addresses()[1].port), (c) => c.fingerprint256 === leaderCert.fingerprint256);
    expect(served.issuer).not.toBe(served.subject); // pebble's, not a stand-in
    expect(await readdir(followerStorage)).toEqual([HOST]); // the follower wrote nothing
    expect(app.requests).toHaveLength(0); // the challenges never reached the app
  }, 60_000);
});
