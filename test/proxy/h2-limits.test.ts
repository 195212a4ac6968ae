import { constants } from 'node:http2';
import { simpleConfig, sleep, startBackend } from '../helpers/servers';
import { certDir, filesOf, makeCertificate } from '../helpers/tls-certs';
import { h2connect, h2request, startTlsProxy } from '../helpers/tls-clients';
import { FLAG, FRAME, frame, GET_ROOT, rawH2 } from '../helpers/raw-h2';

async function proxyTo(servers: string[], tls: object = {}) {
  const dir = certDir();
  const cert = makeCertificate(dir, 'c', ['localhost']);
  return startTlsProxy(simpleConfig(servers), { certificates: [filesOf(cert)], ...tls });
}

describe('HTTP/2 limits', () => {
  it('announces its limits and RFC 8441 in SETTINGS', async () => {
    const backend = await startBackend();
    const { port } = await proxyTo([backend.address], { maxConcurrentStreams: 64 });
    const session = await h2connect(port);
    if (!session.remoteSettings.enableConnectProtocol) await new Promise((r) => session.once('remoteSettings', r));
    expect(session.remoteSettings).toMatchObject({ maxConcurrentStreams: 64, maxHeaderListSize: 32 * 1024, enableConnectProtocol: true });
  });

  it('answers 431 to a request with more than 100 header fields', async () => {
    const backend = await startBackend();
    const { port } = await proxyTo([backend.address]);
    const session = await h2connect(port);
    const headers: Record<string, string> = { ':path': '/' };
    for (let i = 0; i < 101; i++) headers[`x-h${i}`] = 'v';
    expect((await h2request(session, headers)).status).toBe(431);
    expect(backend.requests).toHaveLength(0);
  });

  it('closes a session that resets streams the proxy already forwarded (rapid reset, CVE-2023-44487) with GOAWAY ENHANCE_YOUR_CALM', async () => {
    const backend = await startBackend(() => undefined); // never answers: every stream is in flight when reset
    const { port } = await proxyTo([backend.address]);
    const attacker = await rawH2(port);
    let id = 1;
    for (let round = 0; round < 3 && !attacker.socket.destroyed; round++) {
      const ids = Array.from({ length: 100 }, () => (id += 2) - 2);
      attacker.socket.write(Buffer.concat(ids.map((s) => frame(FRAME.HEADERS, FLAG.END_STREAM | FLAG.END_HEADERS, s, GET_ROOT))));
      for (let i = 0; backend.requests.length < (round + 1) * 100 && i < 200; i++) await sleep(10);
      attacker.socket.write(Buffer.concat(ids.map((s) => frame(FRAME.RST_STREAM, 0, s, Buffer.from([0, 0, 0, 8])))));
    }
    await attacker.closed;
    expect(attacker.goaway()).toBe(constants.NGHTTP2_ENHANCE_YOUR_CALM);
    expect(backend.requests.length).toBeLessThanOrEqual(300);
    // The process survives and the listener still serves: a new session gets an answer (the
    // upstream is the same never-answering one, so the head is enough).
    const session = await h2connect(port);
    const req = session.request({ ':path': '/after' });
    req.on('error', () => undefined);
    await new Promise((resolve) => {
      const timer = setInterval(() => backend.requests.some((r) => r.url === '/after') && resolve(clearInterval(timer)), 10);
    });
    expect(session.destroyed).toBe(false);
  });

  it('does no upstream work for streams reset in the same read as their HEADERS', async () => {
    const backend = await startBackend();
    const { port } = await proxyTo([backend.address]);
    const attacker = await rawH2(port);
    const burst: Buffer[] = [];
    for (let i = 0; i < 1000; i++) {
      const s = 1 + 2 * i;
      burst.push(frame(FRAME.HEADERS, FLAG.END_STREAM | FLAG.END_HEADERS, s, GET_ROOT), frame(FRAME.RST_STREAM, 0, s, Buffer.from([0, 0, 0, 8])));
    }
    attacker.socket.write(Buffer.concat(burst));
    await Promise.race([attacker.closed, sleep(300)]);
    expect(backend.requests.length).toBeLessThan(10);
    const session = await h2connect(port);
    expect((await h2request(session, { ':path': '/' })).status).toBe(200);
  });

  it('tolerates a few client resets (a browser cancelling requests)', async () => {
    const backend = await startBackend();
    const { port } = await proxyTo([backend.address]);
    const session = await h2connect(port);
    for (let i = 0; i < 20; i++) session.request({ ':path': `/c${i}` }).on('error', () => undefined).close(constants.NGHTTP2_CANCEL);
    expect((await h2request(session, { ':path': '/after' })).status).toBe(200);
    expect(session.destroyed).toBe(false);
  });

  it('ends a CONTINUATION flood without growing or crashing, and keeps serving others', async () => {
    const backend = await startBackend();
    const { port } = await proxyTo([backend.address]);
    const attacker = await rawH2(port);
    const flood = [frame(FRAME.HEADERS, FLAG.END_STREAM, 1, GET_ROOT)];
    for (let i = 0; i < 20_000; i++) flood.push(frame(FRAME.CONTINUATION, 0, 1));
    attacker.socket.write(Buffer.concat(flood));
    await Promise.race([attacker.closed, sleep(2000)]);
    expect(attacker.socket.destroyed || attacker.goaway() !== null).toBe(true);
    expect(backend.requests).toHaveLength(0);
    const session = await h2connect(port);
    expect((await h2request(session, { ':path': '/' })).status).toBe(200);
  });
});
