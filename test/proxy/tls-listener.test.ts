import { connect as tlsConnect } from 'node:tls';
import { copyFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../proxy/src/config/load';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { registerCleanup, request, simpleConfig, startBackend, startProxy } from '../helpers/servers';
import { certDir, filesOf, makeCertificate, type TestCertificate } from '../helpers/tls-certs';
import { curl, h2connect, h2request, sClient, startTlsProxy } from '../helpers/tls-clients';

/** The CN of the certificate the proxy presents for `servername` (none: no SNI sent). */
function servedName(port: number, servername?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ port, host: '127.0.0.1', servername, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, () => {
      const cn = socket.getPeerCertificate().subject.CN;
      socket.destroy();
      resolve(String(Array.isArray(cn) ? cn[0] : cn));
    });
    socket.on('error', reject);
  });
}

/** A TLS 1.3 connection offering `session`: whether it was resumed; without one, the ticket it got. */
function tls13Session(port: number, servername: string, session: Buffer | undefined): Promise<{ reused: boolean; session: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ port, host: '127.0.0.1', servername, session, rejectUnauthorized: false, minVersion: 'TLSv1.3', ALPNProtocols: ['http/1.1'] });
    socket.on('error', reject);
    if (session !== undefined) {
      socket.once('secureConnect', () => {
        resolve({ reused: socket.isSessionReused(), session });
        socket.destroy();
      });
      return;
    }
    // TLS 1.3 tickets come after the handshake, read with the data.
    socket.once('session', (ticket: Buffer) => {
      resolve({ reused: socket.isSessionReused(), session: ticket });
      socket.destroy();
    });
    socket.resume();
  });
}

async function until(check: () => Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('TLS listener', () => {
  let dir: string;
  let ec: TestCertificate;
  beforeEach(() => {
    dir = certDir();
    ec = makeCertificate(dir, 'ec', ['localhost']);
  });

  it('serves h2 and HTTP/1.1 on one port (curl), X-Forwarded-Proto https', async () => {
    const backend = await startBackend((q, res) => res.end(`proto=${q.headers['x-forwarded-proto']}`));
    const { url } = await startTlsProxy(simpleConfig([backend.address]), { certificates: [filesOf(ec)] });
    const h2 = await curl(['--http2', `${url}/a`]);
    expect(h2.stdout).toMatch(/^HTTP\/2 200/);
    expect(h2.stdout).toMatch(/proto=https$/);
    const h1 = await curl(['--http1.1', `${url}/b`]);
    expect(h1.stdout).toMatch(/^HTTP\/1\.1 200/);
    expect(h1.stdout).toMatch(/proto=https$/);
    expect(backend.requests.map((r) => r.url)).toEqual(['/a', '/b']); // each request reached the upstream once
  });

  it('offers only HTTP/1.1 by ALPN when http2 is off', async () => {
    const backend = await startBackend();
    const { port, url } = await startTlsProxy(simpleConfig([backend.address]), { certificates: [filesOf(ec)], http2: false });
    expect((await curl(['--http2', `${url}/`])).stdout).toMatch(/^HTTP\/1\.1 200/);
    expect((await sClient(port, ['-alpn', 'h2,http/1.1'])).stdout).toMatch(/ALPN protocol: http\/1\.1/);
  });

  it('refuses TLS 1.0 and 1.1, CBC suites and suites without forward secrecy (openssl s_client)', async () => {
    const rsa = makeCertificate(dir, 'rsa', ['localhost'], { rsa: true });
    const backend = await startBackend();
    const { port } = await startTlsProxy(simpleConfig([backend.address]), { certificates: [filesOf(rsa)] });
    const handshake = async (args: string[]) => /Cipher is (?!\(NONE\))/.test((await sClient(port, args)).stdout);
    // Level 0 lets this client offer what it would refuse by itself: the refusal is the proxy's.
    const legacy = 'DEFAULT:@SECLEVEL=0';
    expect(await handshake(['-tls1', '-cipher', legacy])).toBe(false);
    expect(await handshake(['-tls1_1', '-cipher', legacy])).toBe(false);
    expect(await handshake(['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-SHA256'])).toBe(false); // CBC
    expect(await handshake(['-tls1_2', '-cipher', 'ECDHE-RSA-AES256-SHA'])).toBe(false); // CBC
    expect(await handshake(['-tls1_2', '-cipher', 'AES128-GCM-SHA256'])).toBe(false); // RSA key exchange
    expect(await handshake(['-tls1_2', '-cipher', 'DHE-RSA-AES128-GCM-SHA256'])).toBe(false); // finite-field DH: not offered
    expect(await handshake(['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'])).toBe(true);
    expect(await handshake(['-tls1_2', '-cipher', 'ECDHE-RSA-CHACHA20-POLY1305'])).toBe(true);
    expect(await handshake(['-tls1_3'])).toBe(true);
    expect((await sClient(port, ['-alpn', 'h2,http/1.1'])).stdout).toMatch(/ALPN protocol: h2/);
  });

  it('resumes sessions by ticket and by session id (the session cache)', async () => {
    const backend = await startBackend();
    const { port } = await startTlsProxy(simpleConfig([backend.address]), { certificates: [filesOf(ec)] });
    const reused = async (args: string[]) => ((await sClient(port, ['-reconnect', ...args])).stdout.match(/^Reused, /gm) ?? []).length;
    expect(await reused(['-tls1_2'])).toBeGreaterThanOrEqual(5); // ticket
    expect(await reused(['-tls1_2', '-no_ticket'])).toBeGreaterThanOrEqual(5); // session id
  });

  it('resumes TLS 1.3 sessions by ticket, also on a certificate chosen by SNI (node:tls client)', async () => {
    const other = makeCertificate(dir, 'other', ['api.example.com']);
    const backend = await startBackend();
    const { port } = await startTlsProxy(simpleConfig([backend.address]), { certificates: [filesOf(ec), filesOf(other)] });
    for (const servername of ['localhost', 'api.example.com']) {
      const ticket = await tls13Session(port, servername, undefined);
      expect(ticket.reused).toBe(false);
      expect((await tls13Session(port, servername, ticket.session)).reused).toBe(true);
    }
  });

  it('chooses the certificate by SNI: exact name, then wildcard, else the first', async () => {
    const first = makeCertificate(dir, 'first', ['default.test'], { cn: 'first' });
    const exact = makeCertificate(dir, 'exact', ['api.example.com'], { cn: 'exact' });
    const wild = makeCertificate(dir, 'wild', ['*.example.com'], { cn: 'wild' });
    const backend = await startBackend();
    const { port } = await startTlsProxy(simpleConfig([backend.address]), { certificates: [filesOf(first), filesOf(wild), filesOf(exact)] });
    expect(await servedName(port, 'api.example.com')).toBe('exact');
    expect(await servedName(port, 'API.Example.COM')).toBe('exact');
    expect(await servedName(port, 'www.example.com')).toBe('wild');
    expect(await servedName(port, 'a.b.example.com')).toBe('first'); // a wildcard covers one label
    expect(await servedName(port, 'example.com')).toBe('first');
    expect(await servedName(port, 'other.test')).toBe('first');
    expect(await servedName(port)).toBe('first');
  });

  it('sends HSTS on proxied answers over TLS, h2 and HTTP/1.1 alike, and keeps an upstream\'s own', async () => {
    const backend = await startBackend((q, res) => {
      if (q.url === '/own') res.setHeader('strict-transport-security', 'max-age=5');
      res.end('ok');
    });
    const { port, url } = await startTlsProxy(simpleConfig([backend.address]), { certificates: [filesOf(ec)], hsts: { maxAge: '1h', includeSubDomains: true } });
    expect((await curl(['--http1.1', `${url}/`])).stdout).toMatch(/^strict-transport-security: max-age=3600; includeSubDomains\r$/m);
    const session = await h2connect(port);
    expect((await h2request(session, { ':path': '/' })).headers['strict-transport-security']).toBe('max-age=3600; includeSubDomains');
    expect((await h2request(session, { ':path': '/own' })).headers['strict-transport-security']).toBe('max-age=5');
  });

  it('redirects a plain listener to https with 301, keeping host and URI, except ACME challenges', async () => {
    const backend = await startBackend((q, res) => res.end(`app ${q.url}`));
    const { port } = await startProxy({ ...simpleConfig([backend.address]), listeners: [{ port: 0, host: '127.0.0.1', redirectToHttps: 8443 }] });
    const moved = await request(`http://127.0.0.1:${port}/a/b?c=d`, { headers: { host: 'Shop.Example.com:8080' } });
    expect(moved.status).toBe(301);
    expect(moved.headers.location).toBe('https://shop.example.com:8443/a/b?c=d');
    expect(moved.headers['strict-transport-security']).toBeUndefined(); // never over plain HTTP
    const acme = await request(`http://127.0.0.1:${port}/.well-known/acme-challenge/token1`);
    expect(acme.body.toString()).toBe('app /.well-known/acme-challenge/token1');
    expect((await request(`http://127.0.0.1:${port}/`, { headers: { host: 'a b' } })).status).toBe(400);
    expect(backend.requests.map((r) => r.url)).toEqual(['/.well-known/acme-challenge/token1']);
  });

  it('swaps certificates on reload while an h2 connection stays open', async () => {
    const backend = await startBackend();
    const old = makeCertificate(dir, 'old', ['localhost'], { cn: 'old' });
    const fresh = makeCertificate(dir, 'new', ['localhost'], { cn: 'new' });
    const { proxy, port } = await startTlsProxy(simpleConfig([backend.address]), { certificates: [filesOf(old)] });
    const session = await h2connect(port);
    expect((await h2request(session, { ':path': '/before' })).status).toBe(200);
    await proxy.reload(resolveConfig({ ...simpleConfig([backend.address]), listeners: [{ port, host: '127.0.0.1', tls: { certificates: [filesOf(fresh)] } }], log: { level: 'silent' } }));
    expect(await servedName(port, 'localhost')).toBe('new');
    expect(await servedName(port)).toBe('new');
    expect((await h2request(session, { ':path': '/after' })).status).toBe(200); // the open connection was kept
    expect(session.closed || session.destroyed).toBe(false);
  });

  it('reloads certificates when new files are renamed over them (certificate-watcher.test.ts has the broken and Kubernetes cases)', async () => {
    const backend = await startBackend();
    const live = { cert: join(dir, 'live.crt'), key: join(dir, 'live.key') };
    const old = makeCertificate(dir, 'old', ['localhost'], { cn: 'old' });
    const fresh = makeCertificate(dir, 'new', ['localhost'], { cn: 'new' });
    copyFileSync(old.cert, live.cert);
    copyFileSync(old.key, live.key);
    const { port } = await startTlsProxy(simpleConfig([backend.address]), { certificates: [live] });
    expect(await servedName(port)).toBe('old');
    // As certbot does: new files renamed over the old ones.
    copyFileSync(fresh.cert, `${live.cert}.tmp`);
    copyFileSync(fresh.key, `${live.key}.tmp`);
    renameSync(`${live.key}.tmp`, live.key);
    renameSync(`${live.cert}.tmp`, live.cert);
    await until(async () => (await servedName(port)) === 'new');
  });

  it('tunnels an HTTP/1.1 WebSocket over TLS (wss) to the upstream', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => wss.once('listening', r));
    wss.on('connection', (ws) => ws.on('message', (m) => ws.send(`echo ${m}`)));
    registerCleanup(async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise((r) => wss.close(r));
    });
    const { port } = await startTlsProxy(simpleConfig([`127.0.0.1:${(wss.address() as AddressInfo).port}`]), { certificates: [filesOf(ec)] });
    const client = new WebSocket(`wss://127.0.0.1:${port}/ws`, { rejectUnauthorized: false });
    registerCleanup(async () => client.terminate());
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
    client.send('hi');
    expect(String(await new Promise((r) => client.once('message', r)))).toBe('echo hi');
  });

  it('refuses a reload that turns a plain listener into a TLS one, and keeps running', async () => {
    const backend = await startBackend();
    const { proxy, port } = await startProxy(simpleConfig([backend.address]));
    const next = resolveConfig({ ...simpleConfig([backend.address]), listeners: [{ port, host: '127.0.0.1', tls: { certificates: [filesOf(ec)] } }], log: { level: 'silent' } });
    await expect(proxy.reload(next)).rejects.toThrow(/cannot change from http to h2 on reload/);
    expect((await request(`http://127.0.0.1:${port}/`)).status).toBe(200);
  });
});
