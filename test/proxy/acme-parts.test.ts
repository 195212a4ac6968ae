// The ACME pieces that need no ACME server: retry delays, challenge answers, certificate files.
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { retryDelay } from '../../proxy/src/acme/acme-manager';
import { CertificateFiles } from '../../proxy/src/acme/certificate-files';
import { CHALLENGE_PREFIX, ChallengeTokens, isChallengePath } from '../../proxy/src/acme/challenge-tokens';
import { selfSignedCertificate } from '../../proxy/src/acme/self-signed';
import { X509Certificate, createPrivateKey } from 'node:crypto';

describe('ACME retry delay', () => {
  it('doubles from retryMin and stops at retryMax', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelay(n, 60_000, 600_000))).toEqual([60_000, 120_000, 240_000, 480_000, 600_000, 600_000]);
    expect(retryDelay(10_000, 60_000, 86_400_000)).toBe(86_400_000); // no overflow to Infinity or NaN
  });
});

describe('ACME challenge tokens', () => {
  it('answers a known token and nothing else', () => {
    const tokens = new ChallengeTokens();
    tokens.set('abc_DEF-123', 'abc_DEF-123.thumb');
    expect(tokens.answer(`${CHALLENGE_PREFIX}abc_DEF-123`)).toBe('abc_DEF-123.thumb');
    expect(tokens.answer(`${CHALLENGE_PREFIX}other`)).toBeNull();
    expect(tokens.answer(`${CHALLENGE_PREFIX}abc_DEF-123?x=1`)).toBeNull();
    expect(tokens.answer(`${CHALLENGE_PREFIX}../abc_DEF-123`)).toBeNull();
    expect(tokens.answer(`${CHALLENGE_PREFIX}__proto__`)).toBeNull();
    tokens.delete('abc_DEF-123');
    expect(tokens.answer(`${CHALLENGE_PREFIX}abc_DEF-123`)).toBeNull();
    expect(isChallengePath('/.well-known/acme-challenge/x')).toBe(true);
    expect(isChallengePath('/.well-known/other')).toBe(false);
  });
});

describe('ACME certificate files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'portico-certs-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('stores a pair with private modes and no temporary files left', async () => {
    const files = new CertificateFiles(path.join(dir, 'acme'));
    expect(await files.load('a.example.com')).toBeNull();
    const pair = await selfSignedCertificate(['a.example.com']);
    await files.save('a.example.com', pair);
    expect(await files.load('a.example.com')).toEqual(pair);
    expect((await stat(path.join(dir, 'acme', 'a.example.com', 'key.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, 'acme', 'a.example.com'))).mode & 0o777).toBe(0o700);
    expect((await readdir(path.join(dir, 'acme', 'a.example.com'))).sort()).toEqual(['cert.pem', 'key.pem']);
    expect(await readFile(path.join(dir, 'acme', 'a.example.com', 'cert.pem'), 'utf8')).toBe(pair.certPem);
  });

  it('makes a self-signed stand-in for every name, with a matching key', async () => {
    const pair = await selfSignedCertificate(['a.example.com', 'b.example.com']);
    const cert = new X509Certificate(pair.certPem);
    expect(cert.subjectAltName).toBe('DNS:a.example.com, DNS:b.example.com');
    expect(cert.checkPrivateKey(createPrivateKey(pair.keyPem))).toBe(true);
    expect(cert.ca).toBe(false);
  });
});
