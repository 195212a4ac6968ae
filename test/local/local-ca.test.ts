// npm start's local CA: made once and reused, a server certificate for localhost that verifies
// against it, remade before it expires, and a CA that cannot vouch for any other name.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultCaDir, ensureLocalCertificates } from '../../infra/local/local-ca';

const verify = (caFile: string, certFile: string) => {
  try {
    return execFileSync('openssl', ['verify', '-CAfile', caFile, certFile], { stdio: 'pipe' }).toString().trim();
  } catch (err) {
    return ((err as { stdout?: Buffer }).stdout?.toString() ?? '') + ((err as { stderr?: Buffer }).stderr?.toString() ?? '');
  }
};

describe('local CA for npm start', () => {
  let dir: string;
  beforeEach(() => {
    dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'portico-ca-')), 'local-ca');
  });
  afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

  it('makes a CA once, keeps it, and signs a localhost certificate that verifies', async () => {
    const first = await ensureLocalCertificates(dir);
    expect(first.createdCa).toBe(true);
    expect(verify(first.caFile, first.certFile)).toMatch(/: OK$/);
    const san = execFileSync('openssl', ['x509', '-in', first.certFile, '-noout', '-ext', 'subjectAltName']).toString();
    expect(san).toContain('DNS:localhost');
    expect(san).toContain('IP Address:127.0.0.1');
    expect(statSync(first.keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, 'ca.key')).mode & 0o777).toBe(0o600);

    const ca = readFileSync(first.caFile, 'utf8');
    const cert = readFileSync(first.certFile, 'utf8');
    const second = await ensureLocalCertificates(dir);
    expect(second.createdCa).toBe(false);
    expect(readFileSync(second.caFile, 'utf8')).toBe(ca);
    expect(readFileSync(second.certFile, 'utf8')).toBe(cert);
  });

  it('remakes the server certificate before it expires, keeping the CA', async () => {
    const first = await ensureLocalCertificates(dir);
    const ca = readFileSync(first.caFile, 'utf8');
    const cert = readFileSync(first.certFile, 'utf8');
    const later = await ensureLocalCertificates(dir, Date.now() + 380 * 86_400_000);
    expect(later.createdCa).toBe(false);
    expect(readFileSync(later.caFile, 'utf8')).toBe(ca);
    expect(readFileSync(later.certFile, 'utf8')).not.toBe(cert);
  });

  it('cannot vouch for a name other than localhost (name constraints)', async () => {
    const local = await ensureLocalCertificates(dir);
    const f = (n: string) => path.join(path.dirname(dir), n);
    execFileSync('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=example.com', '-keyout', f('x.key'), '-out', f('x.csr')], { stdio: 'pipe' });
    writeFileSync(f('x.ext'), 'subjectAltName=DNS:www.example.com\n');
    execFileSync('openssl', ['x509', '-req', '-in', f('x.csr'), '-CA', local.caFile, '-CAkey', path.join(dir, 'ca.key'), '-CAcreateserial', '-days', '1', '-extfile', f('x.ext'), '-out', f('x.pem')], { stdio: 'pipe' });
    expect(verify(local.caFile, f('x.pem'))).toMatch(/permitted subtree violation/);
  });

  it('lives in the user data directory unless PORTICO_HOME says otherwise', () => {
    expect(defaultCaDir({ PORTICO_HOME: '/srv/p' })).toBe('/srv/p/local-ca');
    expect(defaultCaDir({ XDG_DATA_HOME: '/x' })).toBe('/x/portico/local-ca');
    expect(defaultCaDir({})).toBe(path.join(os.homedir(), '.local', 'share', 'portico', 'local-ca'));
  });
});
