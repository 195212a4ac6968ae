// Automatic certificates through the proxy itself, against pebble: a TLS listener with
// `tls: { acme: true }` serves the self-signed stand-in until the first issuance, then the issued
// certificate (curl trusts it with pebble's root), keeps it across a reload, and a restart serves
// the stored one without a new order. Plain listeners answer HTTP-01 before routing and before
// redirectToHttps. The admin status shows each name's state.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig } from '../../proxy/src/config/load';
import { createLogger } from '../../proxy/src/log';
import { PorticoProxy } from '../../proxy/src/proxy';
import { describeWithPebble, FAST_ISSUER, servedCertificate as servedFor, startPebble, type Pebble } from '../helpers/pebble';
import { registerCleanup, request, startBackend } from '../helpers/servers';
import { run } from '../helpers/tls-clients';
import { freePort } from '../helpers/free-port';

const HOST = 'www.portico.test';
const servedCertificate = (port: number, servername = HOST) => servedFor(port, servername);



interface AcmeState {
  source: string | null;
  failures: number;
  lastError: string | null;
  notAfter: string | null;
  nextAttemptAt: string | null;
}

async function acmeStatus(adminPort: number): Promise<Record<string, AcmeState>> {
  const reply = await request(`http://127.0.0.1:${adminPort}/api/status`);
  return JSON.parse(reply.body.toString()).acme;
}

/** Polls the admin status (the manager reports no event) until `done`, for at most 15 s. */
async function until(adminPort: number, done: (s: AcmeState) => boolean): Promise<AcmeState> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const state = (await acmeStatus(adminPort))[HOST];
    if (done(state)) return state;
    if (Date.now() > deadline) throw new Error(`ACME state never reached: ${JSON.stringify(state)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describeWithPebble('ACME through the proxy (pebble)', () => {
  let pebble: Pebble;
  let httpPort: number;
  let storage: string;
  let rootFile: string;

  beforeAll(async () => {
    httpPort = await freePort();
    pebble = await startPebble(httpPort);
    rootFile = path.join(os.tmpdir(), `portico-pebble-root-${process.pid}.pem`);
    writeFileSync(rootFile, await pebble.issuerRoot());
  });
  afterAll(async () => {
    await pebble?.stop();
    await rm(rootFile, { force: true });
  });
  beforeEach(async () => {
    storage = await mkdtemp(path.join(os.tmpdir(), 'portico-acme-proxy-'));
    registerCleanup(() => rm(storage, { recursive: true, force: true }));
  });

  const start = async (config: unknown) => {
    const proxy = await PorticoProxy.start(resolveConfig(config, 'test'), { logger: createLogger('silent'), shutdownGraceMs: 100, acmeIssuer: FAST_ISSUER });
    registerCleanup(() => proxy.close(100));
    return proxy;
  };

  it('serves a stand-in, then the issued certificate (curl trusts it), keeps it on reload, and reuses it after a restart', async () => {
    const backend = await startBackend((req, res) => res.end(`app saw ${req.headers.host} ${req.headers['x-forwarded-proto']}`));
    const [httpsPort, adminPort] = await Promise.all([freePort(), freePort()]);
    const base = {
      acme: { hostnames: [HOST], email: 'ops@portico.test', directory: pebble.directory, storage, caFile: pebble.caFile, retryMin: '50ms', retryMax: '200ms' },
      admin: { listen: `127.0.0.1:${adminPort}` },
      upstreams: { app: { servers: [{ address: backend.address }] } },
      routes: [{ proxy: { upstream: 'app' } }],
      log: { level: 'silent' },
    };
    const secure = { port: httpsPort, host: '127.0.0.1', tls: { acme: true } };
    // Without a plain listener on pebble's HTTP-01 port, every order fails: the stand-in stays.
    const proxy = await start({ ...base, listeners: [secure] });
    const failing = await until(adminPort, (s) => s.failures >= 1);
    expect(failing).toMatchObject({ source: 'self-signed', notAfter: null });
    expect(failing.lastError).toBeTruthy();
    const standIn = await servedCertificate(httpsPort);
    expect(standIn.subject).toContain('Portico self-signed');
    expect(standIn.issuer).toBe(standIn.subject);

    // The plain listener arrives (with redirectToHttps: challenges are still answered), the retry issues.
    const withHttp = { ...base, listeners: [secure, { port: httpPort, host: '127.0.0.1', redirectToHttps: httpsPort }] };
    await proxy.reload(resolveConfig(withHttp, 'test'));
    const issued = await until(adminPort, (s) => s.source === 'issued');
    expect(issued.failures).toBe(0);
    expect(Date.parse(issued.notAfter!)).toBeGreaterThan(Date.now() + 86_400_000);
    const served = await servedCertificate(httpsPort);
    expect(served.subjectAltName).toBe(`DNS:${HOST}`);
    expect(served.issuer).not.toBe(served.subject);

    // The proxy runs in this process: curl must not block it (execFile, not execFileSync).
    const curl = await run('curl', ['-sS', '--max-time', '5', '--cacert', rootFile, '--resolve', `${HOST}:${httpsPort}:127.0.0.1`, `https://${HOST}:${httpsPort}/`]);
    expect(curl).toMatchObject({ code: 0, stdout: `app saw ${HOST}:${httpsPort} https` });
    // Other paths on the plain listener are redirected; an unknown token is a 404, never routed.
    expect((await request(`http://127.0.0.1:${httpPort}/page`, { headers: { host: HOST } })).status).toBe(301);
    const unknown = await request(`http://127.0.0.1:${httpPort}/.well-known/acme-challenge/nosuchtoken`, { headers: { host: HOST } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.toString()).not.toContain('app saw');

    // Key files are never world- (or group-) readable.
    expect(statSync(path.join(storage, HOST, 'key.pem')).mode & 0o077).toBe(0);
    expect(statSync(path.join(storage, 'account.key')).mode & 0o077).toBe(0);
    expect(statSync(path.join(storage, HOST)).mode & 0o077).toBe(0);

    // A reload rebuilds the listener's certificate store: the issued certificate stays.
    await proxy.reload(resolveConfig({ ...withHttp, timeouts: { clientKeepAlive: '30s' } }, 'test'));
    expect((await servedCertificate(httpsPort)).fingerprint256).toBe(served.fingerprint256);
    expect((await acmeStatus(adminPort))[HOST].source).toBe('issued');

    // A restart serves the stored certificate at once and orders nothing (the stored files stay as they are).
    const stored = readFileSync(path.join(storage, HOST, 'cert.pem'), 'utf8');
    await proxy.close(100);
    const restarted = await start({ ...withHttp });
    expect((await servedCertificate(httpsPort)).fingerprint256).toBe(served.fingerprint256);
    const after = (await acmeStatus(adminPort))[HOST];
    expect(after).toMatchObject({ source: 'stored', failures: 0, lastError: null });
    expect(Date.parse(after.nextAttemptAt!)).toBeGreaterThan(Date.now() + 86_400_000);
    await new Promise((r) => setTimeout(r, 200)); // an order would have begun by now
    expect(readFileSync(path.join(storage, HOST, 'cert.pem'), 'utf8')).toBe(stored);
    await restarted.close(100);
  }, 60_000);
});
