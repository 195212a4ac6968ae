// A self-signed certificate for names the ACME client has not obtained yet, so the TLS listener
// answers (with a certificate browsers will not trust) instead of failing the handshake.
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { CertificatePair } from './certificate-files';

// @peculiar/x509's parameter types name the DOM's crypto types; node's webcrypto objects are those at run time.
type X509Keys = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'];
type X509Crypto = NonNullable<Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1]>;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export async function selfSignedCertificate(hostnames: readonly string[], validDays = 7): Promise<CertificatePair> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: webcrypto.getRandomValues(new Uint8Array(8)).reduce((s, b) => s + b.toString(16).padStart(2, '0'), '7f'),
      name: `CN=${hostnames[0]}, O=Portico self-signed (no certificate issued yet)`,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + validDays * 86_400_000),
      signingAlgorithm: ALGORITHM,
      keys: keys as unknown as X509Keys,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(hostnames.map((value) => ({ type: 'dns' as const, value }))),
      ],
    },
    webcrypto as unknown as X509Crypto,
  );
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { certPem: cert.toString('pem'), keyPem: pem('PRIVATE KEY', pkcs8) };
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
