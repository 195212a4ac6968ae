// A stored certificate checked before it is served: it parses, its key matches, and it names the
// host. The ordering manager (a stored certificate at start) and the follower (every re-read of a
// storage another proxy writes, synced here file by file) read storage through this one check.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { CertificateFiles, CertificatePair } from './certificate-files';

export interface StoredCertificate {
  pair: CertificatePair;
  notAfter: number;
}

/**
 * The pair stored for `hostname`; null when there is none. Throws, with a message fit for a log
 * line, when it is unreadable, unparseable, does not cover `hostname`, or cert.pem does not match
 * key.pem (a renewal half synced: the new cert beside the old key).
 */
export async function readStoredCertificate(files: CertificateFiles, hostname: string): Promise<StoredCertificate | null> {
  const pair = await files.load(hostname);
  if (pair === null) return null;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pair.certPem);
  } catch {
    throw new Error('cert.pem is not a PEM certificate');
  }
  let matches: boolean;
  try {
    matches = cert.checkPrivateKey(createPrivateKey(pair.keyPem));
  } catch {
    throw new Error('key.pem is not a PEM private key');
  }
  if (!matches) throw new Error('cert.pem does not match key.pem');
  if (cert.checkHost(hostname) === undefined) throw new Error(`cert.pem does not name ${hostname}`);
  return { pair, notAfter: Date.parse(cert.validTo) };
}

/** Whether two pairs are the same files (a re-read that found nothing new). */
export function samePair(a: CertificatePair, b: CertificatePair): boolean {
  return a.certPem === b.certPem && a.keyPem === b.keyPem;
}
