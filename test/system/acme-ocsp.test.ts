// OCSP stapling of a certificate the proxy obtained by ACME, end to end: pebble issues a
// certificate whose Authority Information Access names a responder, `openssl ocsp` answers for
// pebble's intermediate (which signed it), and `openssl s_client -status` sees the stapled "good".
// Pebble runs no responder: the test starts one once the issued serial is known, behind a gate that
// holds the stapler's first fetch until then.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig } from '../../proxy/src/config/load';
import { createLogger } from '../../proxy/src/log';
import { PorticoProxy } from '../../proxy/src/proxy';
import { freePort } from '../helpers/free-port';
import { describeWithPebble, FAST_ISSUER, servedCertificate as servedFor, startPebble, type Pebble } from '../helpers/pebble';
import { registerCleanup, request, startBackend } from '../helpers/servers';
import { sClient } from '../helpers/tls-clients';

const HOST = 'www.portico.test';
const servedCertificate = (port: number, servername = HOST) => servedFor(port, servername);


/** An HTTP front on `port` that holds each OCSP request until `open(target)`, then relays it to `target`. */
function ocspGate(port: number) {
  let open!: (target: number) => void;
  const target = new Promise<number>((resolve) => (open = resolve));
  let relayed = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const to = await target;
      const relay = http.request({ host: '127.0.0.1', port: to, method: 'POST', path: '/', headers: { 'content-type': 'application/ocsp-request' } }, (answer) => {
        relayed++;
        res.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/ocsp-response' });
        answer.pipe(res);
      });
      relay.on('error', () => res.destroy());
      relay.end(Buffer.concat(chunks));
    });
  });
  return {
    listen: () => new Promise<void>((r) => server.listen(port, '127.0.0.1', r)),
    open,
    relayed: () => relayed,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/** `openssl ocsp` for pebble's intermediate, with `serialHex` good; resolves once it listens. */
async function startResponder(dir: string, pebble: Pebble, serialHex: string, port: number): Promise<ChildProcess> {
  const { certPem, keyPem } = await pebble.intermediate();
  const f = (n: string) => path.join(dir, n);
  await writeFile(f('issuer.pem'), certPem);
  await writeFile(f('issuer.key'), keyPem, { mode: 0o600 });
  await writeFile(f('index.txt'), `V\t301231235959Z\t\t${serialHex}\tunknown\t/CN=${HOST}\n`);
  const child = spawn('openssl', ['ocsp', '-index', f('index.txt'), '-port', String(port), '-rsigner', f('issuer.pem'), '-rkey', f('issuer.key'), '-CA', f('issuer.pem'), '-nmin', '10'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  registerCleanup(async () => void child.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    let text = '';
    const onData = (b: Buffer) => ((text += b.toString()), text.includes('ACCEPT') && resolve());
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`openssl ocsp exited (${code}): ${text}`)));
  });
  return child;
}

describeWithPebble('OCSP stapling of an ACME certificate (pebble)', () => {
  let pebble: Pebble;
  let httpPort: number;
  let gatePort: number;

  beforeAll(async () => {
    [httpPort, gatePort] = await Promise.all([freePort(), freePort()]);
    pebble = await startPebble(httpPort, { ocspResponderURL: `http://127.0.0.1:${gatePort}/` });
  });
  afterAll(async () => {
    await pebble?.stop();
  });

  it('staples "good" from the responder the issued certificate names', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'portico-acme-ocsp-'));
    registerCleanup(() => rm(dir, { recursive: true, force: true }));
    const gate = ocspGate(gatePort);
    await gate.listen();
    registerCleanup(gate.close);
    const backend = await startBackend((_q, res) => res.end('ok'));
    const [httpsPort, adminPort, responderPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const config = {
      acme: { hostnames: [HOST], email: 'ops@portico.test', directory: pebble.directory, storage: path.join(dir, 'acme'), caFile: pebble.caFile, retryMin: '50ms', retryMax: '200ms' },
      admin: { listen: `127.0.0.1:${adminPort}` },
      upstreams: { app: { servers: [{ address: backend.address }] } },
      routes: [{ proxy: { upstream: 'app' } }],
      listeners: [
        { port: httpsPort, host: '127.0.0.1', tls: { acme: true } },
        { port: httpPort, host: '127.0.0.1' },
      ],
      log: { level: 'silent' },
    };
    const proxy = await PorticoProxy.start(resolveConfig(config, 'test'), { logger: createLogger('silent'), shutdownGraceMs: 100, acmeIssuer: FAST_ISSUER });
    registerCleanup(() => proxy.close(100));

    const deadline = Date.now() + 20_000;
    for (;;) {
      const status = JSON.parse((await request(`http://127.0.0.1:${adminPort}/api/status`)).body.toString()).acme[HOST];
      if (status?.source === 'issued') break;
      if (Date.now() > deadline) throw new Error(`not issued: ${JSON.stringify(status)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const issued = await servedCertificate(httpsPort);
    expect(issued.infoAccess).toContain(`OCSP - URI:http://127.0.0.1:${gatePort}/`);
    await startResponder(dir, pebble, issued.serialNumber, responderPort);
    gate.open(responderPort);

    let out = '';
    while (Date.now() < deadline) {
      out = (await sClient(httpsPort, ['-servername', HOST, '-status'])).stdout;
      if (out.includes('Cert Status:')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(out).toContain('OCSP Response Status: successful');
    expect(out).toContain('Cert Status: good');
    expect(gate.relayed()).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
