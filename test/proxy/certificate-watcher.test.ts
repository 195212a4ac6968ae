// The certificate watcher (tls/certificate-watcher.ts) and a TLS listener's reload of changed
// certificate files: renamed over (certbot), swapped under a Kubernetes secret's `..data` symlink,
// broken (the running certificates stay), and never woken by other files in the directory.
import { copyFileSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { pbkdf2 } from 'node:crypto';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import pino from 'pino';
import { resolveConfig } from '../../proxy/src/config/load';
import type { ResolvedConfig } from '../../proxy/src/config/resolved';
import { PorticoProxy } from '../../proxy/src/proxy';
import { CertificateWatcher } from '../../proxy/src/tls/certificate-watcher';
import { registerCleanup, simpleConfig, startBackend } from '../helpers/servers';
import { certDir, makeCertificate, type TestCertificate } from '../helpers/tls-certs';

/** The CN of the certificate the proxy presents. */
function servedName(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, () => {
      const cn = socket.getPeerCertificate().subject.CN;
      socket.destroy();
      resolve(String(Array.isArray(cn) ? cn[0] : cn));
    });
    socket.on('error', reject);
  });
}

/** A Kubernetes secret volume: `tls.crt` -> `..data/tls.crt`, `..data` -> a timestamped folder. */
function secretVolume(dir: string, first: TestCertificate): { cert: string; key: string; rotate: (next: TestCertificate, stamp: string) => void } {
  const publish = (c: TestCertificate, stamp: string) => {
    const folder = join(dir, `..${stamp}`);
    mkdirSync(folder);
    copyFileSync(c.cert, join(folder, 'tls.crt'));
    copyFileSync(c.key, join(folder, 'tls.key'));
    return folder;
  };
  symlinkSync(publish(first, '2026_12_03_00_00_00.1'), join(dir, '..data'));
  symlinkSync(join('..data', 'tls.crt'), join(dir, 'tls.crt'));
  symlinkSync(join('..data', 'tls.key'), join(dir, 'tls.key'));
  return {
    cert: join(dir, 'tls.crt'),
    key: join(dir, 'tls.key'),
    // As the kubelet does: a new folder, a new link beside `..data`, renamed over it.
    rotate: (next, stamp) => {
      symlinkSync(publish(next, stamp), join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    },
  };
}

/**
 * live.crt / live.key holding a certificate named "old"; rotate() renames a new pair named "new"
 * over them, key first, as certbot does.
 */
function liveFiles(): { live: { cert: string; key: string }; rotate: () => void } {
  const dir = certDir();
  const live = { cert: join(dir, 'live.crt'), key: join(dir, 'live.key') };
  const old = makeCertificate(dir, 'old', ['localhost'], { cn: 'old' });
  copyFileSync(old.cert, live.cert);
  copyFileSync(old.key, live.key);
  const rotate = () => {
    const fresh = makeCertificate(dir, 'new', ['localhost'], { cn: 'new' });
    renameSync(fresh.key, live.key);
    renameSync(fresh.cert, live.cert);
  };
  return { live, rotate };
}

function watcherCalls(files: string[]): { changes: () => number; next: () => Promise<void> } {
  let count = 0;
  let waiter: (() => void) | null = null;
  const watcher = new CertificateWatcher(files, () => {
    count++;
    waiter?.();
  }, 10, 20);
  registerCleanup(async () => watcher.close());
  return { changes: () => count, next: () => new Promise((resolve) => (waiter = resolve)) };
}

/** Makes a watcher of `files`, does `act`, and waits for the change it reports: exactly one. */
async function expectOneChange(files: string[], act: () => void): Promise<void> {
  const calls = watcherCalls(files);
  const changed = calls.next();
  act();
  await changed;
  expect(calls.changes()).toBe(1);
}

describe('CertificateWatcher', () => {
  it("sees a Kubernetes secret's ..data symlink swapped to new files", async () => {
    const dir = certDir();
    const volume = secretVolume(dir, makeCertificate(dir, 'old', ['localhost']));
    const next = makeCertificate(dir, 'new', ['localhost']);
    await expectOneChange([volume.cert, volume.key], () => volume.rotate(next, '2026_12_03_01_00_00.2'));
  });

  it('sees a new file renamed over the watched one, once for a key and certificate put together', async () => {
    const dir = certDir();
    const old = makeCertificate(dir, 'old', ['localhost']);
    const fresh = makeCertificate(dir, 'new', ['localhost']);
    await expectOneChange([old.cert, old.key], () => {
      renameSync(fresh.key, old.key);
      renameSync(fresh.cert, old.cert);
    });
  });

  it('takes its baseline when it is made: a file renamed over right after is seen even while the thread pool is busy', async () => {
    const dir = certDir();
    const old = makeCertificate(dir, 'old', ['localhost']);
    const fresh = makeCertificate(dir, 'new', ['localhost']);
    // Every thread of libuv's pool busy for a while: a first stat queued now runs after the rename.
    const busy = Array.from({ length: 8 }, () => new Promise((r) => pbkdf2('x', 'salt', 200_000, 32, 'sha256', r)));
    await expectOneChange([old.cert], () => renameSync(fresh.cert, old.cert));
    await Promise.all(busy);
  });

  it('is not told about other files written in the same directory', async () => {
    const dir = certDir();
    const cert = makeCertificate(dir, 'live', ['localhost']);
    const calls = watcherCalls([cert.cert, cert.key]);
    const log = join(dir, 'access.log');
    for (let i = 0; i < 200; i++) writeFileSync(log, `line ${i}\n`, { flag: 'a' });
    // The watched file changes after the others: its change is the first and only one reported.
    const changed = calls.next();
    writeFileSync(cert.cert, makeCertificate(dir, 'other', ['localhost']).pem);
    await changed;
    expect(calls.changes()).toBe(1);
  });

  it('stops on close', async () => {
    const dir = certDir();
    const cert = makeCertificate(dir, 'live', ['localhost']);
    let count = 0;
    const watcher = new CertificateWatcher([cert.cert], () => count++, 10, 20);
    watcher.close();
    writeFileSync(cert.cert, 'changed');
    // A second watcher on the same file sees the change; the closed one must not have.
    const calls = watcherCalls([cert.cert]);
    const changed = calls.next();
    writeFileSync(cert.cert, 'changed again, longer');
    await changed;
    expect(count).toBe(0);
  });
});

describe('a TLS listener with certificate files', () => {
  async function startWith(cert: string, key: string): Promise<{ port: number; warnings: () => Promise<string>; proxy: PorticoProxy; config: () => ResolvedConfig }> {
    const backend = await startBackend();
    const lines: { msg: string }[] = [];
    let waiter: ((msg: string) => void) | null = null;
    const logger = pino({ level: 'warn' }, { write: (line: string) => {
      const entry = JSON.parse(line) as { msg: string };
      lines.push(entry);
      waiter?.(entry.msg);
    } });
    const configOn = (port: number) => resolveConfig({ ...simpleConfig([backend.address]), listeners: [{ port, host: '127.0.0.1', tls: { certificates: [{ cert, key }] } }], log: { level: 'warn' } }, 'test');
    const proxy = await PorticoProxy.start(configOn(0), { logger, shutdownGraceMs: 100 });
    registerCleanup(() => proxy.close(100));
    const port = proxy.addresses()[0].port;
    return { port, proxy, config: () => configOn(port), warnings: () => new Promise((resolve) => (waiter = resolve)) };
  }

  async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('serves the new certificate after a Kubernetes secret rotation', async () => {
    const dir = certDir();
    const volume = secretVolume(dir, makeCertificate(dir, 'old', ['localhost'], { cn: 'old' }));
    const { port } = await startWith(volume.cert, volume.key);
    expect(await servedName(port)).toBe('old');
    volume.rotate(makeCertificate(dir, 'new', ['localhost'], { cn: 'new' }), '2026_12_03_01_00_00.2');
    await until(async () => (await servedName(port)) === 'new');
  });

  it('serves files renamed in while a config reload was under way (the reload had read the old ones)', async () => {
    const { live, rotate } = liveFiles();
    const { port, proxy, config } = await startWith(live.cert, live.key);
    const read = config(); // a reload reads the files, then awaits (cache directories, new listeners)
    rotate();
    await proxy.reload(read);
    // The rename is never reported again: the reload's copy must not stay for good.
    await until(async () => (await servedName(port)) === 'new', 2500);
  });

  it('serves files renamed in between reading the config and opening the listener', async () => {
    const { live, rotate } = liveFiles();
    const backend = await startBackend();
    // The config reads the files; a start then awaits (cache directories, admin) before listening.
    const config = resolveConfig({ ...simpleConfig([backend.address]), listeners: [{ port: 0, host: '127.0.0.1', tls: { certificates: [live] } }], log: { level: 'silent' } }, 'test');
    rotate();
    const proxy = await PorticoProxy.start(config, { logger: pino({ level: 'silent' }), shutdownGraceMs: 100 });
    registerCleanup(() => proxy.close(100));
    // The rename happened before the watcher was made, so it is never reported.
    expect(await servedName(proxy.addresses()[0].port)).toBe('new');
  });

  it('keeps the running certificate when the files change into something unusable, and says so', async () => {
    const dir = certDir();
    const live = makeCertificate(dir, 'live', ['localhost'], { cn: 'live' });
    const { port, warnings } = await startWith(live.cert, live.key);
    const warned = warnings();
    writeFileSync(live.key, 'garbage');
    expect(await warned).toBe('certificate files changed but cannot be used; the current certificates stay');
    expect(await servedName(port)).toBe('live');
  });
});
