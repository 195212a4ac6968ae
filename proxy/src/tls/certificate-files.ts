// Reading a certificate and its key from PEM files, with the checks that make a bad pair a config
// error naming the file instead of a TLS handshake failure at the first client: both parse, the key
// is the certificate's, and the names it serves come from its subjectAltName (RFC 6125 §6.4.4: the
// CN only when there is no SAN).
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LoadedCertificate } from '../config/resolved';

/** Which file of the pair is wrong, and why. */
export class CertificateFileError extends Error {
  constructor(
    readonly field: 'cert' | 'key',
    message: string,
  ) {
    super(message);
    this.name = 'CertificateFileError';
  }
}

/** Reads and checks one pair; throws CertificateFileError. Synchronous: a config load or a reload, never a request. */
export function loadCertificate(certFile: string, keyFile: string): LoadedCertificate {
  const certPath = resolve(certFile);
  const keyPath = resolve(keyFile);
  const cert = readPem(certPath, 'cert');
  const key = readPem(keyPath, 'key');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new CertificateFileError('cert', `${certFile}: not a PEM certificate (${(err as Error).message})`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new CertificateFileError('key', `${keyFile}: not an unencrypted PEM private key (${(err as Error).message})`);
  }
  if (!x509.checkPrivateKey(privateKey)) throw new CertificateFileError('key', `${keyFile}: is not the key of ${certFile}`);
  const names = certificateNames(x509);
  if (names.length === 0) throw new CertificateFileError('cert', `${certFile}: names no DNS host (subjectAltName or CN)`);
  return { certFile: certPath, keyFile: keyPath, cert, key, names, notAfter: Date.parse(x509.validTo) };
}

/** DNS names of the SAN, lowercased; the CN when the SAN has none. */
export function certificateNames(x509: X509Certificate): string[] {
  const names: string[] = [];
  for (const entry of splitAltNames(x509.subjectAltName ?? '')) {
    if (entry.startsWith('DNS:')) names.push(entry.slice(4).toLowerCase());
  }
  if (names.length > 0) return names;
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(x509.subject)?.[1];
  return cn !== undefined && /^[A-Za-z0-9*.-]+$/.test(cn) ? [cn.toLowerCase()] : [];
}

function readPem(file: string, field: 'cert' | 'key'): Buffer {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (err) {
    throw new CertificateFileError(field, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  if (!data.includes('-----BEGIN')) throw new CertificateFileError(field, `${file}: not a PEM file`);
  return data;
}

/** "DNS:a, DNS:b" (node quotes entries that contain a comma or a quote). */
function splitAltNames(value: string): string[] {
  const out: string[] = [];
  for (const m of value.matchAll(/([A-Za-z ]+:(?:"(?:[^"\\]|\\.)*"|[^,]*))(?:,\s*|$)/g)) {
    if (m[1]) out.push(m[1].replace(/^([A-Za-z ]+:)"(.*)"$/, '$1$2').trim());
  }
  return out;
}
