// ACME as the TLS and plain listeners see it, without an ACME server (its directory refuses
// connections, so the self-signed stand-ins stay): SNI precedence between file and ACME
// certificates, HTTP-01 answers on plain listeners before routing and redirects, and the admin
// status. Issuance itself: test/system/acme-proxy.test.ts (pebble).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { resolveConfig } from '../../proxy/src/config/load';
import { createLogger } from '../../proxy/src/log';
import { PorticoProxy } from '../../proxy/src/proxy';
import { registerCleanup, request, startBackend } from '../helpers/servers';
import { certDir, filesOf, makeCertificate } from '../helpers/tls-certs';
import { freePort } from '../helpers/free-port';

/** The subject of the certificate served for `servername` (none: no SNI). */
function servedSubject(port: number, servername?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const subject = socket.getPeerX509Certificate()!.subject;
      socket.destroy();
      resolve(subject);
    });
    socket.once('error', reject);
  });
}


async function startWithAcme(listeners: unknown[], extra: Record<string, unknown> = {}) {
  const storage = await mkdtemp(path.join(os.tmpdir(), 'portico-acme-listener-'));
  registerCleanup(() => rm(storage, { recursive: true, force: true }));
  const backend = await startBackend((req, res) => res.end(`app ${req.url}`));
  const config = {
    listeners,
    // Nothing listens on port 9: every order fails at once, and the next try is an hour away.
    acme: { hostnames: ['www.portico.test', 'exact.portico.test'], directory: 'https://127.0.0.1:9/dir', storage, retryMin: '1h' },
    upstreams: { app: { servers: [{ address: backend.address }] } },
    routes: [{ proxy: { upstream: 'app' } }],
    log: { level: 'silent' },
    ...extra,
  };
  const proxy = await PorticoProxy.start(resolveConfig(config, 'test'), {
    logger: createLogger('silent'),
    shutdownGraceMs: 100,
    acmeIssuer: { networkRetries: 1, networkRetryDelaySeconds: 0.01 },
  });
  registerCleanup(() => proxy.close(100));
  return { proxy, ports: proxy.addresses().map((a) => a.port), config };
}

describe('ACME certificates on TLS listeners', () => {
  it('chooses by SNI: a file exact name, then an ACME name, then a file wildcard, else the first file certificate', async () => {
    const dir = certDir();
    const wildcard = makeCertificate(dir, 'wild', ['*.portico.test'], { cn: 'file wildcard' });
    const exact = makeCertificate(dir, 'exact', ['exact.portico.test'], { cn: 'file exact' });
    const { ports } = await startWithAcme([{ port: 0, host: '127.0.0.1', tls: { acme: true, certificates: [filesOf(wildcard), filesOf(exact)] } }]);
    expect(await servedSubject(ports[0], 'exact.portico.test')).toContain('CN=file exact');
    expect(await servedSubject(ports[0], 'www.portico.test')).toContain('CN=www.portico.test\nO=Portico self-signed');
    expect(await servedSubject(ports[0], 'other.portico.test')).toContain('CN=file wildcard');
    expect(await servedSubject(ports[0])).toContain('CN=file wildcard');
  });

  it('serves only ACME certificates when the listener has no files (the first name is the default)', async () => {
    const { ports } = await startWithAcme([{ port: 0, host: '127.0.0.1', tls: { acme: true } }]);
    expect(await servedSubject(ports[0], 'exact.portico.test')).toContain('CN=exact.portico.test');
    expect(await servedSubject(ports[0])).toContain('CN=www.portico.test');
  });

  it('keeps ACME certificates out of listeners without tls.acme, and adds them on a reload that sets it', async () => {
    const dir = certDir();
    const file = makeCertificate(dir, 'file', ['localhost'], { cn: 'file only' });
    const { proxy, ports, config } = await startWithAcme([{ port: 0, host: '127.0.0.1', tls: { certificates: [filesOf(file)] } }]);
    expect(await servedSubject(ports[0], 'www.portico.test')).toContain('CN=file only');
    await proxy.reload(resolveConfig({ ...config, listeners: [{ port: ports[0], host: '127.0.0.1', tls: { acme: true, certificates: [filesOf(file)] } }] }, 'test'));
    expect(await servedSubject(ports[0], 'www.portico.test')).toContain('Portico self-signed');
  });

  it('answers HTTP-01 on plain listeners before redirectToHttps and routing; unknown tokens are 404', async () => {
    // Two listeners need two ports: listeners are keyed by host:port, and two port 0s are one.
    const { proxy, ports } = await startWithAcme([
      { port: 0, host: '127.0.0.1', redirectToHttps: true },
      { port: await freePort(), host: '127.0.0.1', tls: { acme: true } },
    ]);
    proxy.acmeChallenges!.set('tok-EN_1', 'tok-EN_1.thumbprint');
    const known = await request(`http://127.0.0.1:${ports[0]}/.well-known/acme-challenge/tok-EN_1`);
    expect(known.status).toBe(200);
    expect(known.body.toString()).toBe('tok-EN_1.thumbprint');
    expect(known.headers['content-type']).toBe('application/octet-stream');
    for (const url of ['/.well-known/acme-challenge/other', '/.well-known/acme-challenge/', '/.well-known/acme-challenge/../../x', '/.well-known/acme-challenge/tok-EN_1?x=1']) {
      const reply = await request(`http://127.0.0.1:${ports[0]}/`, { path: url }); // as sent: no URL normalization
      expect([url, reply.status]).toEqual([url, 404]);
    }
    expect((await request(`http://127.0.0.1:${ports[0]}/.well-known/acme-challenge/tok-EN_1`, { method: 'POST' })).status).toBe(404);
    expect((await request(`http://127.0.0.1:${ports[0]}/page`, { headers: { host: 'www.portico.test' } })).status).toBe(301);
  });

  it('routes challenge paths like any other when ACME is off', async () => {
    const backend = await startBackend((req, res) => res.end(`app ${req.url}`));
    const config = { listeners: [{ port: 0, host: '127.0.0.1' }], upstreams: { app: { servers: [{ address: backend.address }] } }, routes: [{ proxy: { upstream: 'app' } }], log: { level: 'silent' } };
    const proxy = await PorticoProxy.start(resolveConfig(config, 'test'), { logger: createLogger('silent'), shutdownGraceMs: 100 });
    registerCleanup(() => proxy.close(100));
    expect(proxy.acmeChallenges).toBeNull();
    const reply = await request(`http://127.0.0.1:${proxy.addresses()[0].port}/.well-known/acme-challenge/abc`);
    expect(reply.body.toString()).toBe('app /.well-known/acme-challenge/abc');
  });

  it('redirects to https a challenge-looking path that is no token (dot segments, encoded slashes) when ACME is off; a token path is routed', async () => {
    const backend = await startBackend((req, res) => res.end(`app ${req.url}`));
    const config = { listeners: [{ port: 0, host: '127.0.0.1', redirectToHttps: 8443 }], upstreams: { app: { servers: [{ address: backend.address }] } }, routes: [{ proxy: { upstream: 'app' } }], log: { level: 'silent' } };
    const proxy = await PorticoProxy.start(resolveConfig(config, 'test'), { logger: createLogger('silent'), shutdownGraceMs: 100 });
    registerCleanup(() => proxy.close(100));
    const port = proxy.addresses()[0].port;
    // The app (an external ACME client's webroot) answers its own tokens over plain HTTP.
    expect((await request(`http://127.0.0.1:${port}/.well-known/acme-challenge/tok-EN_1`)).body.toString()).toBe('app /.well-known/acme-challenge/tok-EN_1');
    // Anything else under the prefix would reach the app over plain HTTP past the redirect.
    for (const url of ['/.well-known/acme-challenge/../../account', '/.well-known/acme-challenge/..%2f..%2faccount', '/.well-known/acme-challenge/a/b', '/.well-known/acme-challenge/']) {
      const reply = await request(`http://127.0.0.1:${port}/`, { path: url, headers: { host: 'www.portico.test' } }); // as sent: no URL normalization
      expect([url, reply.status, reply.headers.location]).toEqual([url, 301, `https://www.portico.test:8443${url}`]);
    }
    expect(backend.requests.map((r) => r.url)).toEqual(['/.well-known/acme-challenge/tok-EN_1']);
  });

  it("reports each name's state in the admin status, and stops when a reload removes acme", async () => {
    const { proxy, ports, config } = await startWithAcme([{ port: 0, host: '127.0.0.1' }], { admin: { listen: '127.0.0.1:0' } });
    const admin = proxy.adminAddress()!.port;
    const deadline = Date.now() + 5000;
    let acme: Record<string, { source: string; failures: number; lastError: string | null; nextAttemptAt: string }> = {};
    while (Date.now() < deadline) {
      acme = JSON.parse((await request(`http://127.0.0.1:${admin}/api/status`)).body.toString()).acme;
      if (acme['www.portico.test'].failures > 0 && acme['exact.portico.test'].failures > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(Object.keys(acme).sort()).toEqual(['exact.portico.test', 'www.portico.test']);
    expect(acme['www.portico.test']).toMatchObject({ source: 'self-signed', failures: 1, notAfter: null });
    expect(acme['www.portico.test'].lastError).toMatch(/ECONNREFUSED|connect/);
    expect(Date.parse(acme['www.portico.test'].nextAttemptAt)).toBeGreaterThan(Date.now() + 50 * 60_000);

    const { acme: _dropped, ...withoutAcme } = config;
    await proxy.reload(resolveConfig({ ...withoutAcme, listeners: [{ port: ports[0], host: '127.0.0.1' }], admin: { listen: `127.0.0.1:${admin}` } }, 'test'));
    expect(proxy.acmeChallenges).toBeNull();
    expect(JSON.parse((await request(`http://127.0.0.1:${admin}/api/status`)).body.toString()).acme).toBeUndefined();
  });

  it('refuses tls.acme without the top-level acme, and a TLS listener with neither certificates nor acme', () => {
    const shape = { upstreams: { app: { servers: [{ address: '127.0.0.1:1' }] } }, routes: [{ proxy: { upstream: 'app' } }] };
    expect(() => resolveConfig({ ...shape, listeners: [{ port: 0, tls: { acme: true } }] }, 'test')).toThrow(/listeners\[0\]\.tls\.acme/);
    expect(() => resolveConfig({ ...shape, listeners: [{ port: 0, tls: {} }] }, 'test')).toThrow(/listeners\[0\]\.tls: needs certificates/);
  });
});
