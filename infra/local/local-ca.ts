// `npm start`'s HTTPS: a local certificate authority made at the first start and kept in a user
// directory (reused later, so a browser told to trust it once keeps trusting it), and a server
// certificate for localhost signed by it. The CA is name-constrained to localhost and loopback
// addresses: even a leaked CA key cannot vouch for any other site.
import { webcrypto, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, GeneralSubtree, GeneralSubtrees, NameConstraints } from '@peculiar/asn1-x509';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;
/** Browsers refuse server certificates valid for more than 398 days. */
const SERVER_DAYS = 397;
const CA_DAYS = 3650;
/** A server certificate is remade this long before it expires. */
const RENEW_BEFORE = 30 * DAY;

type X509Keys = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'];
type X509Crypto = NonNullable<Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1]>;
const crypto = webcrypto as unknown as X509Crypto;

export interface LocalCertificates {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** True when this start made a new CA (the user must trust it once). */
  createdCa: boolean;
}

/** $PORTICO_HOME, else $XDG_DATA_HOME/portico, else ~/.local/share/portico; then local-ca/. */
export function defaultCaDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.PORTICO_HOME ?? path.join(env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'portico');
  return path.join(base, 'local-ca');
}

export const LOCAL_NAMES = ['localhost', '*.localhost'];
export const LOCAL_IPS = ['127.0.0.1', '::1'];

/** The CA and a current server certificate for localhost in `dir`, made or remade as needed. */
export async function ensureLocalCertificates(dir: string, now = Date.now()): Promise<LocalCertificates> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (name: string) => path.join(dir, name);
  let createdCa = false;
  if (!existsSync(f('ca.pem')) || !existsSync(f('ca.key')) || expiresWithin(f('ca.pem'), now, 365 * DAY)) {
    const ca = await makeCa(now);
    write(f('ca.key'), ca.keyPem);
    write(f('ca.pem'), ca.certPem);
    createdCa = true;
  }
  if (createdCa || !existsSync(f('localhost.pem')) || !existsSync(f('localhost.key')) || expiresWithin(f('localhost.pem'), now, RENEW_BEFORE)) {
    const server = await makeServerCertificate(readFileSync(f('ca.pem'), 'utf8'), readFileSync(f('ca.key'), 'utf8'), now);
    write(f('localhost.key'), server.keyPem);
    write(f('localhost.pem'), server.certPem);
  }
  return { dir, caFile: f('ca.pem'), certFile: f('localhost.pem'), keyFile: f('localhost.key'), createdCa };
}

function expiresWithin(file: string, now: number, margin: number): boolean {
  try {
    return Date.parse(new X509Certificate(readFileSync(file)).validTo) - now < margin;
  } catch {
    return true; // unreadable or not a certificate: make a new one
  }
}

async function makeCa(now: number): Promise<{ certPem: string; keyPem: string }> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const constraints = new NameConstraints({
    permittedSubtrees: new GeneralSubtrees([
      new GeneralSubtree({ base: new GeneralName({ dNSName: 'localhost' }) }), // localhost and every *.localhost
      new GeneralSubtree({ base: new GeneralName({ iPAddress: '127.0.0.0/8' }) }),
      new GeneralSubtree({ base: new GeneralName({ iPAddress: '::1/128' }) }),
    ]),
  });
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: `CN=Portico local development CA (${os.hostname()}), O=Portico`,
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + CA_DAYS * DAY),
      signingAlgorithm: ALGORITHM,
      keys: keys as unknown as X509Keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        new x509.Extension('2.5.29.30', true, AsnConvert.serialize(constraints)),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never, false, crypto),
      ],
    },
    crypto,
  );
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

async function makeServerCertificate(caPem: string, caKeyPem: string, now: number): Promise<{ certPem: string; keyPem: string }> {
  const ca = new x509.X509Certificate(caPem);
  const caKey = await webcrypto.subtle.importKey('pkcs8', pemBody(caKeyPem), ALGORITHM, false, ['sign']);
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create(
    {
      subject: 'CN=localhost, O=Portico local development',
      issuer: ca.subject,
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + SERVER_DAYS * DAY),
      signingAlgorithm: ALGORITHM,
      publicKey: keys.publicKey as never,
      signingKey: caKey as never,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([
          ...LOCAL_NAMES.map((value) => ({ type: 'dns' as const, value })),
          ...LOCAL_IPS.map((value) => ({ type: 'ip' as const, value })),
        ]),
        await x509.AuthorityKeyIdentifierExtension.create(ca, false, crypto),
      ],
    },
    crypto,
  );
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${(der.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END PRIVATE KEY-----\n`;
}

function pemBody(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

/** Private files (keys) 0600, by rename: never half-written. */
function write(file: string, content: string): void {
  const temp = `${file}.tmp`;
  writeFileSync(temp, content, { mode: 0o600 });
  renameSync(temp, file);
}
