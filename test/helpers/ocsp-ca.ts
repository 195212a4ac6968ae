// A small CA with an OCSP responder (`openssl ocsp`) for stapling tests: a "good" and a "revoked"
// server certificate whose Authority Information Access names the responder, a delegated
// responder certificate (OCSP signing), and the responder process itself on 127.0.0.1.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

export interface OcspCa {
  dir: string;
  /** PEM chains, leaf then CA: what a server would configure. */
  goodChain: string;
  revokedChain: string;
  keyPem: (which: 'good' | 'revoked') => string;
  caPem: string;
  responderUrl: string;
  stop(): Promise<void>;
}


export async function startOcspCa(): Promise<OcspCa> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portico-ocsp-'));
  const f = (n: string) => path.join(dir, n);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe', cwd: dir });
  const port = await freePort();
  const responderUrl = `http://127.0.0.1:${port}`;
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  run(['req', '-x509', ...ec, '-days', '2', '-subj', '/CN=Portico OCSP test CA', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const sign = (name: string, subject: string, ext: string) => {
    run(['req', ...ec, '-subj', subject, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`)]);
    writeFileSync(f(`${name}.ext`), ext);
    run(['x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', f(`${name}.ext`), '-out', f(`${name}.pem`)]);
  };
  const serverExt = `subjectAltName=DNS:localhost\nauthorityInfoAccess=OCSP;URI:${responderUrl}\nextendedKeyUsage=serverAuth\n`;
  sign('good', '/CN=good.localhost', serverExt);
  sign('revoked', '/CN=revoked.localhost', serverExt);
  sign('responder', '/CN=Portico OCSP responder', 'extendedKeyUsage=OCSPSigning\nkeyUsage=critical,digitalSignature\n');

  // openssl's index: V(alid) / R(evoked) lines with expiry, revocation time, serial, file, subject.
  const serial = (name: string) => run(['x509', '-in', f(`${name}.pem`), '-noout', '-serial']).toString().trim().split('=')[1];
  const expiry = '301231235959Z';
  writeFileSync(
    f('index.txt'),
    `V\t${expiry}\t\t${serial('good')}\tunknown\t/CN=good.localhost\n` + `R\t${expiry}\t251201000000Z\t${serial('revoked')}\tunknown\t/CN=revoked.localhost\n`,
  );
  const responder = spawn(
    'openssl',
    ['ocsp', '-index', f('index.txt'), '-port', String(port), '-rsigner', f('responder.pem'), '-rkey', f('responder.key'), '-CA', f('ca.pem'), '-nmin', '10', '-timeout', '2'],
    // One process (no -multi: its workers outlive a signal to it), one connection at a time.
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await waitForAccept(responder);
  const caPem = readFileSync(f('ca.pem'), 'utf8');
  return {
    dir,
    goodChain: readFileSync(f('good.pem'), 'utf8') + caPem,
    revokedChain: readFileSync(f('revoked.pem'), 'utf8') + caPem,
    keyPem: (which) => readFileSync(f(`${which}.key`), 'utf8'),
    caPem,
    responderUrl,
    async stop() {
      if (responder.exitCode === null && responder.signalCode === null) {
        await new Promise<void>((r) => {
          responder.once('exit', () => r());
          responder.kill('SIGKILL');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The responder prints "ACCEPT <addr>:<port>" once it listens (no TCP probe: it serves one connection at a time). */
function waitForAccept(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`openssl ocsp did not start: ${text}`)), 10_000);
    const onData = (b: Buffer) => {
      text += b.toString();
      if (text.includes('ACCEPT')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`openssl ocsp exited (${code}): ${text}`));
    });
  });
}
