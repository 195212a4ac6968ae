// One self-signed ECDSA P-256 certificate per bench run, in the run's folder, for every TLS target
// (nginx and Portico then do the same handshake work). Made by openssl, as an operator would.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface CertificateFiles {
  cert: string;
  key: string;
}

/** Creates dir/tls-cert.pem and dir/tls-key.pem on the first call of a run; later calls reuse them. */
export function benchCertificate(dir: string): CertificateFiles {
  const files = { cert: path.join(dir, 'tls-cert.pem'), key: path.join(dir, 'tls-key.pem') };
  if (existsSync(files.cert) && existsSync(files.key)) return files;
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', files.key, '-out', files.cert, '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  return files;
}
