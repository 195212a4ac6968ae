// OCSP stapling on the proxy's TLS listeners (NGINX ssl_stapling, on by default) against a real
// `openssl ocsp` responder: `openssl s_client -status` sees "good" for the good certificate and
// "revoked" for the revoked one, `curl --cert-status` accepts the good one and refuses the revoked
// one, and `ocspStapling: false` staples nothing.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { resolveConfig } from '../../proxy/src/config/load';
import { startOcspCa, type OcspCa } from '../helpers/ocsp-ca';
import { simpleConfig, startBackend, startProxy } from '../helpers/servers';
import { run, sClient } from '../helpers/tls-clients';
import { freePort } from '../helpers/free-port';


/** s_client's report once the listener staples a status (the stapler fetches in the background), within 10 s. */
async function stapledStatus(port: number, caFile: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const out = (await sClient(port, ['-servername', 'localhost', '-status', '-CAfile', caFile])).stdout;
    if (out.includes('Cert Status:') || Date.now() > deadline) return out;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('OCSP stapling on TLS listeners', () => {
  let ca: OcspCa;
  let caFile: string;
  const files = (which: 'good' | 'revoked') => {
    const cert = path.join(ca.dir, `${which}-chain.pem`);
    const key = path.join(ca.dir, `${which}-server.key`);
    writeFileSync(cert, which === 'good' ? ca.goodChain : ca.revokedChain);
    writeFileSync(key, ca.keyPem(which), { mode: 0o600 });
    return { cert, key };
  };

  beforeAll(async () => {
    ca = await startOcspCa();
    caFile = path.join(ca.dir, 'ca.pem');
  });
  afterAll(async () => {
    await ca?.stop();
  });

  it('staples "good" and "revoked" as the responder says; curl --cert-status agrees', async () => {
    const backend = await startBackend((_q, res) => res.end('stapled'));
    const [goodPort, revokedPort] = await Promise.all([freePort(), freePort()]);
    await startProxy({
      ...simpleConfig([backend.address]),
      listeners: [
        { port: goodPort, host: '127.0.0.1', tls: { certificates: [files('good')] } },
        { port: revokedPort, host: '127.0.0.1', tls: { certificates: [files('revoked')] } },
      ],
    });
    const good = await stapledStatus(goodPort, caFile);
    expect(good).toContain('OCSP Response Status: successful');
    expect(good).toContain('Cert Status: good');
    const revoked = await stapledStatus(revokedPort, caFile);
    expect(revoked).toContain('Cert Status: revoked');

    const curl = (port: number) => run('curl', ['-sS', '--max-time', '5', '--cert-status', '--cacert', caFile, '--resolve', `localhost:${port}:127.0.0.1`, `https://localhost:${port}/`]);
    expect(await curl(goodPort)).toMatchObject({ code: 0, stdout: 'stapled' });
    const refused = await curl(revokedPort);
    expect(refused.code).toBe(91); // CURLE_SSL_INVALIDCERTSTATUS
    expect(refused.stderr).toMatch(/revocation/);
  }, 30_000);

  it('keeps stapling across a reload, and staples the new certificate a reload brings', async () => {
    const backend = await startBackend();
    const port = await freePort();
    const listener = (which: 'good' | 'revoked') => ({ port, host: '127.0.0.1', tls: { certificates: [files(which)] } });
    const { proxy } = await startProxy({ ...simpleConfig([backend.address]), listeners: [listener('good')] });
    expect(await stapledStatus(port, caFile)).toContain('Cert Status: good');
    const reload = (which: 'good' | 'revoked') =>
      proxy.reload(resolveConfig({ ...simpleConfig([backend.address]), listeners: [listener(which)], log: { level: 'silent' } }, 'test'));
    // The same certificate: its cached answer is stapled at once, no new fetch needed.
    await reload('good');
    expect((await sClient(port, ['-servername', 'localhost', '-status', '-CAfile', caFile])).stdout).toContain('Cert Status: good');
    await reload('revoked');
    expect(await stapledStatus(port, caFile)).toContain('Cert Status: revoked');
  }, 30_000);

  it('staples nothing with ocspStapling: false', async () => {
    const backend = await startBackend();
    const { port } = await startProxy({ ...simpleConfig([backend.address]), listeners: [{ port: 0, host: '127.0.0.1', tls: { certificates: [files('good')], ocspStapling: false } }] });
    // The responder answers within milliseconds (the test above): give it ten times that.
    await new Promise((r) => setTimeout(r, 300));
    const out = (await sClient(port, ['-servername', 'localhost', '-status', '-CAfile', caFile])).stdout;
    expect(out).toContain('OCSP response: no response sent');
  }, 20_000);
});
