// Certificates for TLS tests, made by openssl in a temp dir removed after the test.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerCleanup } from './servers';

export interface TestCertificate {
  cert: string;
  key: string;
  /** The certificate's PEM text (for a client's `ca`). */
  pem: string;
}

/** A temp dir for certificate files, removed after the test. */
export function certDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'portico-tls-'));
  registerCleanup(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A self-signed certificate for `names` (DNS SAN entries; IP 127.0.0.1 added), ECDSA P-256 unless `rsa`. */
export function makeCertificate(dir: string, file: string, names: string[], opts: { rsa?: boolean; cn?: string } = {}): TestCertificate {
  const cert = join(dir, `${file}.crt`);
  const key = join(dir, `${file}.key`);
  const keyArgs = opts.rsa ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  const san = [...names.map((n) => `DNS:${n}`), 'IP:127.0.0.1'].join(',');
  execFileSync('openssl', ['req', '-x509', ...keyArgs, '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${opts.cn ?? names[0] ?? 'portico-test'}`, '-addext', `subjectAltName=${san}`], {
    stdio: 'pipe',
  });
  return { cert, key, pem: execFileSync('cat', [cert]).toString() };
}

/** The config entry of a certificate: its two files. */
export function filesOf(c: TestCertificate): { cert: string; key: string } {
  return { cert: c.cert, key: c.key };
}
