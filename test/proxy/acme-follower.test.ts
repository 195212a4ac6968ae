// The ACME follower on its own (acme.mode follow): what it serves and logs as the storage another
// proxy writes changes under it. Re-reads are driven by refresh() (what a reload does), so each
// step is awaited, no timer involved; the timer and real sockets: acme-follow-proxy.test.ts.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, readdir, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { AcmeFollower } from '../../proxy/src/acme/acme-follower';
import type { CertificateSink, CertificateSource } from '../../proxy/src/acme/acme-manager';
import type { CertificatePair } from '../../proxy/src/acme/certificate-files';
import type { ResolvedAcme } from '../../proxy/src/config/resolved';
import { certDir, makeCertificate } from '../helpers/tls-certs';

const HOST = 'www.portico.test';

class RecordingSink implements CertificateSink {
  readonly installs: { hostname: string; cn: string; source: CertificateSource }[] = [];
  readonly removed: string[] = [];
  install(hostname: string, pair: CertificatePair, source: CertificateSource): void {
    this.installs.push({ hostname, cn: commonName(pair.certPem), source });
  }
  remove(hostname: string): void {
    this.removed.push(hostname);
  }
}

function commonName(pem: string): string {
  return /CN=([^\n,]+)/.exec(new X509Certificate(pem).subject)![1];
}

async function pairOf(cn: string, names = [HOST]): Promise<CertificatePair> {
  const made = makeCertificate(certDir(), cn.replace(/\W/g, '-'), names, { cn });
  return { certPem: await readFile(made.cert, 'utf8'), keyPem: await readFile(made.key, 'utf8') };
}

describe('AcmeFollower', () => {
  let storage: string;
  let follower: AcmeFollower | null = null;
  let lines: { level: number; msg: string; hostname?: string; err?: string }[];
  let sink: RecordingSink;

  beforeEach(async () => {
    storage = await mkdtemp(path.join(os.tmpdir(), 'portico-follower-'));
    lines = [];
    sink = new RecordingSink();
  });
  afterEach(async () => {
    follower?.close();
    follower = null;
    await rm(storage, { recursive: true, force: true });
  });

  const settings = (overrides: Partial<ResolvedAcme> = {}): ResolvedAcme => ({
    hostnames: [HOST],
    email: null,
    directory: 'https://127.0.0.1:9/never-contacted',
    storage,
    caFile: null,
    renewBefore: 0,
    retryMin: 1,
    retryMax: 1,
    mode: 'follow',
    followInterval: 3_600_000,
    ...overrides,
  });
  const start = async (s = settings()) => {
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    follower = new AcmeFollower(s, sink, log);
    await follower.start();
    return follower;
  };
  /** What the leader's sync would leave: either file alone, or both. */
  const write = async (hostname: string, files: Partial<CertificatePair>) => {
    await mkdir(path.join(storage, hostname), { recursive: true });
    if (files.keyPem !== undefined) await writeFile(path.join(storage, hostname, 'key.pem'), files.keyPem);
    if (files.certPem !== undefined) await writeFile(path.join(storage, hostname, 'cert.pem'), files.certPem);
  };
  const messages = () => lines.map((l) => l.msg);

  it('serves the stand-in until a pair is stored, then that pair, then its renewal; nothing is written to storage', async () => {
    const f = await start();
    expect(sink.installs).toEqual([{ hostname: HOST, cn: HOST, source: 'self-signed' }]);
    expect(f.status()).toEqual([expect.objectContaining({ hostname: HOST, mode: 'follow', source: 'self-signed', lastError: 'no certificate in storage yet' })]);
    await f.refresh();
    expect(sink.installs).toHaveLength(1); // the stand-in is made once

    await write(HOST, await pairOf('leader first'));
    await f.refresh();
    await f.refresh();
    expect(sink.installs.slice(1)).toEqual([{ hostname: HOST, cn: 'leader first', source: 'stored' }]);
    expect(f.status()[0]).toMatchObject({ source: 'stored', lastError: null });
    expect(Date.parse(f.status()[0].notAfter!)).toBeGreaterThan(Date.now());

    await write(HOST, await pairOf('leader renewed'));
    await f.refresh();
    expect(sink.installs.slice(2)).toEqual([{ hostname: HOST, cn: 'leader renewed', source: 'stored' }]);
    expect(messages()).toEqual([
      'acme: following: no certificate in storage yet; serving the self-signed stand-in',
      'acme: following: certificate appeared; serving it',
      'acme: following: certificate changed; serving it',
    ]);
    // No account key, no temporary files: only what the test wrote.
    expect(await readdir(storage)).toEqual([HOST]);
    expect((await readdir(path.join(storage, HOST))).sort()).toEqual(['cert.pem', 'key.pem']);
  });

  it('warns once per certificate when the stored one is past half of renewBefore (the ordering proxy is not renewing)', async () => {
    await write(HOST, await pairOf('leader first')); // valid two days
    const f = await start(settings({ renewBefore: 10 * 86_400_000 }));
    await f.refresh();
    await f.refresh();
    const warnings = () => lines.filter((l) => l.level === 40).map((l) => l.msg);
    expect(warnings()).toEqual([expect.stringMatching(/^acme: following: the stored certificate expires in 1 day and the ordering proxy has not renewed it/)]);
    await write(HOST, await pairOf('leader renewed, still short'));
    await f.refresh();
    expect(warnings()).toHaveLength(2);
  });

  it('does not warn about expiry while the stored certificate is outside half of renewBefore', async () => {
    await write(HOST, await pairOf('leader first'));
    const f = await start(settings({ renewBefore: 2 * 86_400_000 }));
    await f.refresh();
    expect(lines.filter((l) => l.level === 40)).toEqual([]);
  });

  it('ignores a half-synced renewal (new cert, old key) with one warning, and serves it once the key follows', async () => {
    const first = await pairOf('leader first');
    const renewed = await pairOf('leader renewed');
    await write(HOST, first);
    const f = await start();
    await write(HOST, { certPem: renewed.certPem });
    for (let i = 0; i < 3; i++) await f.refresh();
    expect(sink.installs.map((i) => i.cn)).toEqual(['leader first']);
    expect(lines.filter((l) => l.level === 40)).toEqual([
      expect.objectContaining({ hostname: HOST, err: 'cert.pem does not match key.pem', msg: 'acme: following: stored certificate unusable; keeping the certificate served' }),
    ]);
    expect(f.status()[0]).toMatchObject({ source: 'stored', lastError: 'cert.pem does not match key.pem' });

    await write(HOST, { keyPem: renewed.keyPem });
    await f.refresh();
    expect(sink.installs.map((i) => i.cn)).toEqual(['leader first', 'leader renewed']);
    expect(f.status()[0].lastError).toBeNull();
  });

  it('never serves a pair for another name, an unparseable one, or a missing key; says once that a good one is usable again', async () => {
    await write(HOST, await pairOf('other name', ['other.portico.test']));
    const f = await start();
    expect(sink.installs).toEqual([{ hostname: HOST, cn: HOST, source: 'self-signed' }]);
    expect(f.status()[0].lastError).toBe(`cert.pem does not name ${HOST}`);

    const good = await pairOf('leader first');
    await write(HOST, good);
    await f.refresh();
    await write(HOST, { certPem: 'garbage\n' });
    await f.refresh();
    expect(f.status()[0].lastError).toBe('cert.pem is not a PEM certificate');
    await write(HOST, { certPem: good.certPem, keyPem: 'not a key' });
    await f.refresh();
    expect(f.status()[0].lastError).toBe('key.pem is not a PEM private key');
    await rm(path.join(storage, HOST, 'key.pem'));
    await f.refresh();
    expect(f.status()[0].lastError).toBe('no certificate in storage yet');
    await write(HOST, good);
    await f.refresh();
    await f.refresh();
    expect(sink.installs.map((i) => i.cn)).toEqual([HOST, 'leader first']);
    expect(messages().slice(-2)).toEqual([
      'acme: following: no certificate in storage yet; keeping the certificate served',
      'acme: following: stored certificate usable again',
    ]);
  });

  it('adopts added names and removes dropped ones on reconfigure, and stops re-reading when closed', async () => {
    const f = await start(settings({ followInterval: 5 }));
    await f.reconfigure(settings({ hostnames: ['api.portico.test'], followInterval: 5 }));
    expect(sink.removed).toEqual([HOST]);
    expect(f.status().map((s) => s.hostname)).toEqual(['api.portico.test']);
    f.close();
    const before = lines.length;
    await write('api.portico.test', await pairOf('late', ['api.portico.test']));
    await new Promise((r) => setTimeout(r, 30)); // six intervals: nothing may happen
    expect(lines.length).toBe(before);
    expect(sink.installs.map((i) => i.cn)).toEqual([HOST, 'api.portico.test']);
  });
});

describe('AcmeFollower reading a hostile storage', () => {
  let storage: string;
  let follower: AcmeFollower | null = null;
  let fifo: string | null = null;

  beforeEach(async () => {
    storage = await mkdtemp(path.join(os.tmpdir(), 'portico-follower-'));
  });
  afterEach(async () => {
    follower?.close();
    follower = null;
    // A reader still blocked in open() on the FIFO (the code before the fix) gets its EOF here.
    if (fifo !== null) await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).then((h) => h.close(), () => undefined);
    fifo = null;
    await rm(storage, { recursive: true, force: true });
  });

  const start = async () => {
    const s: ResolvedAcme = {
      hostnames: [HOST], email: null, directory: 'https://127.0.0.1:9/never-contacted', storage, caFile: null,
      renewBefore: 0, retryMin: 1, retryMax: 1, mode: 'follow', followInterval: 3_600_000,
    };
    follower = new AcmeFollower(s, new RecordingSink(), pino({ level: 'silent' }));
    await follower.start();
    return follower;
  };
  /** Resolves with the re-read's outcome, or 'hung' after a bounded wait. */
  const refreshed = (f: AcmeFollower) => Promise.race([f.refresh().then(() => 'done'), new Promise((r) => setTimeout(() => r('hung'), 1000).unref())]);

  it('refuses a FIFO, a device and a file over 1 MiB as cert.pem without reading them; the re-read completes', async () => {
    const good = await pairOf('leader first');
    await mkdir(path.join(storage, HOST));
    await writeFile(path.join(storage, HOST, 'key.pem'), good.keyPem);
    const cert = path.join(storage, HOST, 'cert.pem');
    const f = await start();

    fifo = cert;
    execFileSync('mkfifo', [cert]); // nobody ever writes it: reading it would wait forever
    expect(await refreshed(f)).toBe('done');
    expect(f.status()[0].lastError).toBe('cert.pem is not a regular file');
    await rm(cert);
    fifo = null;

    await symlink('/dev/null', cert);
    expect(await refreshed(f)).toBe('done');
    expect(f.status()[0].lastError).toBe('cert.pem is not a regular file');
    await rm(cert);

    await writeFile(cert, good.certPem);
    await truncate(cert, 64 * 1024 * 1024); // sparse: 64 MiB a re-read every minute would hold in memory
    expect(await refreshed(f)).toBe('done');
    expect(f.status()[0].lastError).toBe('cert.pem is larger than 1 MiB');

    // A symlink to a regular file (how Kubernetes mounts a secret) is read as before.
    await rm(cert);
    await writeFile(path.join(storage, 'cert-target.pem'), good.certPem);
    await symlink(path.join(storage, 'cert-target.pem'), cert);
    expect(await refreshed(f)).toBe('done');
    expect(f.status()[0]).toMatchObject({ source: 'stored', lastError: null });
  });
});
