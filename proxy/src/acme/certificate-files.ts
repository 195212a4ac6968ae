// Where issued certificates live: <storage>/<hostname>/{cert.pem,key.pem} and <storage>/account.key.
// Directories are 0700 and keys 0600 (never world-readable); every file is written to a temporary
// name and renamed, so a crash or a full disk never leaves a half-written certificate in place.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface CertificatePair {
  certPem: string;
  keyPem: string;
}

export class CertificateFiles {
  constructor(readonly directory: string) {}

  /** The stored pair for `hostname`, or null when absent (a read error other than ENOENT throws). */
  async load(hostname: string): Promise<CertificatePair | null> {
    const dir = this.hostDir(hostname);
    try {
      const [certPem, keyPem] = await Promise.all([readFile(path.join(dir, 'cert.pem'), 'utf8'), readFile(path.join(dir, 'key.pem'), 'utf8')]);
      return { certPem, keyPem };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async save(hostname: string, pair: CertificatePair): Promise<void> {
    const dir = this.hostDir(hostname);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // The key first: a cert.pem never sits beside a key.pem it does not match for long.
    await atomicWrite(path.join(dir, 'key.pem'), pair.keyPem);
    await atomicWrite(path.join(dir, 'cert.pem'), pair.certPem);
  }

  async loadAccountKey(): Promise<string | null> {
    try {
      return await readFile(path.join(this.directory, 'account.key'), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async saveAccountKey(pem: string): Promise<void> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    await atomicWrite(path.join(this.directory, 'account.key'), pem);
  }

  private hostDir(hostname: string): string {
    // Hostnames passed the config's DNS-name pattern: no '/', no '..'.
    return path.join(this.directory, hostname);
  }
}

async function atomicWrite(file: string, content: string): Promise<void> {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, content, { mode: 0o600, flush: true });
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
