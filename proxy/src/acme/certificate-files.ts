// Where issued certificates live: <storage>/<hostname>/{cert.pem,key.pem} and <storage>/account.key.
// Directories are 0700 and keys 0600 (never world-readable); every file is written to a temporary
// name and renamed, so a crash or a full disk never leaves a half-written certificate in place.
// Reads are bounded: the storage may be synced from elsewhere (acme.mode follow), so a file there
// may be anything; a FIFO or a device is refused before it is read, a huge file by its size.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
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
      const [certPem, keyPem] = await Promise.all([readStored(path.join(dir, 'cert.pem')), readStored(path.join(dir, 'key.pem'))]);
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
      return await readStored(path.join(this.directory, 'account.key'));
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

/** A certificate chain is a few KiB; anything near this is not one. */
const MAX_STORED_FILE = 1024 * 1024;
/** Windows has no O_NONBLOCK (nor FIFOs a sync could plant). */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** A stored file as text: a regular file (symlinks followed) of at most MAX_STORED_FILE bytes. */
async function readStored(file: string): Promise<string> {
  const name = path.basename(file);
  // Non-blocking: opening a FIFO nobody writes would otherwise wait forever (and hold a libuv thread).
  const handle = await open(file, READ_FLAGS);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new Error(`${name} is not a regular file`);
    if (stat.size > MAX_STORED_FILE) throw new Error(`${name} is larger than 1 MiB`);
    // One byte more than its size: a file still growing is caught, not read without end.
    const buffer = Buffer.alloc(stat.size + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > stat.size) throw new Error(`${name} is being written`);
    return buffer.toString('utf8', 0, length);
  } finally {
    await handle.close();
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
