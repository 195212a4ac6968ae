// Automatic certificates end to end against pebble (Let's Encrypt's test server): a stand-in first,
// then an issued certificate, stored with private modes and reused after a restart; a failing ACME
// server keeps the current certificate and retries with backoff.
import { X509Certificate } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { AcmeManager, type CertificateSink, type CertificateSource } from '../../proxy/src/acme/acme-manager';
import { isChallengePath } from '../../proxy/src/acme/challenge-tokens';
import type { CertificatePair } from '../../proxy/src/acme/certificate-files';
import type { ResolvedAcme } from '../../proxy/src/config/resolved';
import { describeWithPebble, startPebble, type Pebble } from '../helpers/pebble';

const HOST = 'www.portico.test';

class RecordingSink implements CertificateSink {
  readonly installed: { hostname: string; source: CertificateSource; pair: CertificatePair }[] = [];
  private waiters: (() => void)[] = [];
  install(hostname: string, pair: CertificatePair, source: CertificateSource): void {
    this.installed.push({ hostname, source, pair });
    this.waiters.splice(0).forEach((w) => w());
  }
  remove(): void {}
  /** Resolves once a certificate from `source` was installed. */
  async until(source: CertificateSource): Promise<CertificatePair> {
    for (;;) {
      const found = this.installed.find((i) => i.source === source);
      if (found) return found.pair;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }
}

describeWithPebble('ACME with pebble', () => {
  let pebble: Pebble;
  let challenges: http.Server;
  let manager: AcmeManager | null = null;
  let storage: string;
  const answerFrom: { current: AcmeManager | null } = { current: null };

  beforeAll(async () => {
    // The proxy's plain listener role: answer /.well-known/acme-challenge/ from the manager's tokens.
    challenges = http.createServer((req, res) => {
      const answer = req.url && isChallengePath(req.url) ? answerFrom.current?.tokens.answer(req.url) : null;
      res.writeHead(answer ? 200 : 404, { 'content-type': 'text/plain' }).end(answer ?? '');
    });
    await new Promise<void>((r) => challenges.listen(0, '127.0.0.1', r));
    pebble = await startPebble((challenges.address() as AddressInfo).port);
  });

  afterAll(async () => {
    await pebble?.stop();
    await new Promise((r) => challenges?.close(r));
  });

  beforeEach(async () => {
    storage = await mkdtemp(path.join(os.tmpdir(), 'portico-acme-'));
  });

  afterEach(async () => {
    manager?.close();
    manager = null;
    await rm(storage, { recursive: true, force: true });
  });

  const settings = (overrides: Partial<ResolvedAcme> = {}): ResolvedAcme => ({
    hostnames: [HOST],
    email: 'ops@portico.test',
    directory: pebble.directory,
    storage,
    caFile: pebble.caFile,
    renewBefore: 30 * 86_400_000,
    retryMin: 50,
    retryMax: 200,
    mode: 'order',
    followInterval: 60_000,
    ...overrides,
  });

  const start = async (s: ResolvedAcme, sink: CertificateSink) => {
    manager = new AcmeManager(s, sink, pino({ level: 'silent' }), { backoffMin: 50, backoffMax: 200, backoffAttempts: 3, networkRetries: 1, networkRetryDelaySeconds: 0.01 });
    answerFrom.current = manager;
    await manager.start();
    return manager;
  };

  it('serves a self-signed stand-in at once, then the issued certificate, stored with private modes', async () => {
    const sink = new RecordingSink();
    await start(settings(), sink);
    expect(sink.installed[0].source).toBe('self-signed');
    const issued = await sink.until('issued');
    const cert = new X509Certificate(issued.certPem);
    expect(cert.subjectAltName).toBe(`DNS:${HOST}`);
    expect(cert.issuer).not.toBe(cert.subject); // pebble's intermediate, not self-signed
    expect(statSync(path.join(storage, HOST, 'key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(storage, 'account.key')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(storage, HOST)).mode & 0o077).toBe(0);
    expect(manager!.tokens.size).toBe(0); // challenges cleaned up
  }, 30_000);

  it('reuses a stored certificate after a restart without ordering again', async () => {
    const first = new RecordingSink();
    await start(settings(), first);
    const issued = await first.until('issued');
    manager!.close();

    const second = new RecordingSink();
    await start(settings(), second);
    expect(second.installed.map((i) => i.source)).toEqual(['stored']);
    expect(second.installed[0].pair.certPem).toBe(issued.certPem);
    expect(manager!.status()[0].nextAttemptAt! > new Date(Date.now() + 86_400_000).toISOString()).toBe(true);
  }, 30_000);

  it('renews a stored certificate that is due', async () => {
    const first = new RecordingSink();
    await start(settings(), first);
    const issued = await first.until('issued');
    manager!.close();

    // Renewing a day more before expiry than the certificate has left makes it due now.
    const left = Date.parse(new X509Certificate(issued.certPem).validTo) - Date.now();
    const second = new RecordingSink();
    await start(settings({ renewBefore: left + 86_400_000 }), second);
    expect(second.installed[0].source).toBe('stored');
    const renewed = await second.until('issued');
    expect(renewed.certPem).not.toBe(issued.certPem);
  }, 30_000);

  it('keeps the stand-in and retries with a doubling delay while the ACME server fails', async () => {
    const sink = new RecordingSink();
    // Nothing listens on port 9 of loopback: every order fails at once.
    await start(settings({ directory: 'https://127.0.0.1:9/dir', retryMin: 20, retryMax: 80 }), sink);
    const deadline = Date.now() + 10_000;
    while (manager!.status()[0].failures < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const status = manager!.status()[0];
    expect(status.failures).toBeGreaterThanOrEqual(3);
    expect(status.lastError).toMatch(/ECONNREFUSED|connect/);
    expect(sink.installed.map((i) => i.source)).toEqual(['self-signed']);
  }, 15_000);
});
