// OCSP stapling against a real `openssl ocsp` responder: a TLS server using the stapler's handler
// staples "good" for the good certificate and "revoked" for the revoked one, as `openssl s_client
// -status` shows; a forged or foreign answer is never cached.
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import pino from 'pino';
import { OcspStapler } from '../../proxy/src/ocsp/ocsp-stapler';
import { startOcspCa, type OcspCa } from '../helpers/ocsp-ca';

function sClientStatus(port: number, caFile: string): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-status', '-CAfile', caFile], { timeout: 10_000 }, (_err, stdout) =>
      resolve(stdout),
    );
    child.stdin!.end('Q\n');
  });
}

async function tlsServer(chain: string, key: string, stapler: OcspStapler): Promise<tls.Server> {
  const server = tls.createServer({ cert: chain, key }, (socket) => socket.end());
  server.on('OCSPRequest', stapler.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

describe('OCSP stapling', () => {
  let ca: OcspCa;
  const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
  const open: { close(): void }[] = [];

  beforeAll(async () => {
    ca = await startOcspCa();
  });
  afterAll(async () => {
    await ca?.stop();
  });
  afterEach(() => open.splice(0).forEach((o) => o.close()));

  it.each([
    ['good', 'good'],
    ['revoked', 'revoked'],
  ] as const)('staples the responder\'s "%s" answer for the %s certificate', async (which, expected) => {
    const stapler = new OcspStapler(log);
    open.push(stapler);
    const chain = which === 'good' ? ca.goodChain : ca.revokedChain;
    stapler.watch(chain);
    await stapler.settled();
    expect(stapler.status(chain)?.status).toBe(expected);
    const server = await tlsServer(chain, ca.keyPem(which), stapler);
    open.push(server);
    const caFile = `${ca.dir}/ca.pem`;
    const out = await sClientStatus((server.address() as AddressInfo).port, caFile);
    expect(out).toContain('OCSP Response Status: successful');
    expect(out).toContain(`Cert Status: ${expected}`);
  }, 20_000);

  it('staples nothing until an answer arrived, and never an answer that fails its checks', async () => {
    // A "responder" that answers the good certificate's status for every request: the revoked
    // certificate's server must not staple it (another certificate's answer).
    const real = new OcspStapler(log);
    open.push(real);
    real.watch(ca.goodChain);
    await real.settled();
    const goodAnswer = real.status(ca.goodChain)!.der;
    const forged = new OcspStapler(log, async () => goodAnswer, { retryMin: 10_000 });
    open.push(forged);
    forged.watch(ca.revokedChain);
    await forged.settled();
    expect(forged.status(ca.revokedChain)).toBeNull();

    const garbage = new OcspStapler(log, async () => Buffer.from('not an OCSP response'), { retryMin: 10_000 });
    open.push(garbage);
    garbage.watch(ca.goodChain);
    await garbage.settled();
    expect(garbage.status(ca.goodChain)).toBeNull();

    const server = await tlsServer(ca.revokedChain, ca.keyPem('revoked'), forged);
    open.push(server);
    const out = await sClientStatus((server.address() as AddressInfo).port, `${ca.dir}/ca.pem`);
    expect(out).toContain('OCSP response: no response sent');
  }, 20_000);
});
