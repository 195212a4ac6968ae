// Client-side timeouts on HTTP/2 streams: a request body that stalls (NGINX client_body_timeout)
// and an answer the client does not take (send_timeout) end the stream, even while the session
// itself stays busy, so that neither holds an upstream request or the answer's memory for ever.
import { constants } from 'node:http2';
import { simpleConfig, sleep, startBackend } from '../helpers/servers';
import { FLAG, FRAME, frame, literalHeaders, rawH2, type RawH2 } from '../helpers/raw-h2';
import { certDir, filesOf, makeCertificate } from '../helpers/tls-certs';
import { h2connect, h2request, startTlsProxy } from '../helpers/tls-clients';

jest.setTimeout(15_000);

async function proxyTo(servers: string[], timeouts: object) {
  const cert = makeCertificate(certDir(), 'c', ['localhost']);
  return startTlsProxy({ ...simpleConfig(servers), timeouts }, { certificates: [filesOf(cert)] });
}

const request = (method: string, path: string, extra: [string, string][] = []) =>
  literalHeaders([[':method', method], [':scheme', 'https'], [':path', path], [':authority', 'localhost'], ...extra]);

/** The first RST_STREAM the proxy sent on `stream`, waited for up to `ms` while PINGs keep the session busy. */
async function resetOf(client: RawH2, stream: number, ms: number): Promise<number | null> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const rst = client.frames.find((f) => f.type === FRAME.RST_STREAM && f.stream === stream);
    if (rst !== undefined) return rst.payload.readUInt32BE(0);
    if (!client.socket.destroyed) client.socket.write(frame(FRAME.PING, 0, 0, Buffer.alloc(8)));
    await sleep(50);
  }
  return null;
}

describe('HTTP/2 client timeouts', () => {
  it('resets a stream whose request body stalls for timeouts.clientBody, and the upstream request with it, while PINGs keep the session busy', async () => {
    let upstreamAborted = false;
    const backend = await startBackend((req, res) => {
      req.on('data', () => undefined);
      req.on('end', () => res.end('got it'));
      res.on('close', () => (upstreamAborted ||= !res.writableFinished));
    }, { readBody: false });
    const { port } = await proxyTo([backend.address], { clientBody: 300, clientKeepAlive: 5000 });
    const client = await rawH2(port);
    const started = Date.now();
    client.socket.write(frame(FRAME.HEADERS, FLAG.END_HEADERS, 1, request('POST', '/upload', [['content-length', '100']])));
    client.socket.write(frame(FRAME.DATA, 0, 1, Buffer.from('0123456789')));
    expect(await resetOf(client, 1, 3000)).toBe(constants.NGHTTP2_CANCEL);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    for (let i = 0; !upstreamAborted && i < 100; i++) await sleep(20);
    expect(upstreamAborted).toBe(true);
    expect(client.socket.destroyed).toBe(false); // the stream's failure, not the session's
  });

  it('keeps a stream whose body is complete while the upstream takes longer than timeouts.clientBody to answer', async () => {
    const backend = await startBackend((_q, res) => void setTimeout(() => res.end('late'), 700));
    const { port } = await proxyTo([backend.address], { clientBody: 200 });
    const reply = await h2request(await h2connect(port), { ':method': 'POST', ':path': '/slow' }, 'body');
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe('late');
  });

  it('resets a stream whose client never opens its window for a whole (held) answer after timeouts.clientSend', async () => {
    const backend = await startBackend((_q, res) => {
      res.setHeader('content-length', 1024 * 1024);
      res.end(Buffer.alloc(1024 * 1024, 'x'));
    });
    const { port } = await proxyTo([backend.address], { clientSend: 300, clientKeepAlive: 5000 });
    const client = await rawH2(port);
    client.socket.write(frame(FRAME.SETTINGS, 0, 0, Buffer.from([0, 4, 0, 0, 0, 0]))); // SETTINGS_INITIAL_WINDOW_SIZE 0
    client.socket.write(frame(FRAME.HEADERS, FLAG.END_HEADERS | FLAG.END_STREAM, 1, request('GET', '/big')));
    expect(await resetOf(client, 1, 3000)).toBe(constants.NGHTTP2_CANCEL);
  });

  it('sends a whole (held) answer to a client that reads it slowly for longer than timeouts.clientSend, and resets one that stops reading half way', async () => {
    const size = 256 * 1024;
    const answer = Buffer.from(Array.from({ length: size }, (_, i) => (i * 7) % 251));
    const backend = await startBackend((_q, res) => {
      res.setHeader('content-length', size);
      res.end(answer);
    });
    const { port } = await proxyTo([backend.address], { clientSend: 400, clientKeepAlive: 5000 });
    // A 16 KiB window, opened again only as the client reads: about 16 KiB per 20 ms pause.
    const session = await h2connect(port, { settings: { initialWindowSize: 16 * 1024 } });
    const read = (stopAfter: number) =>
      new Promise<{ bytes: number; code: number; ms: number; body: Buffer }>((resolve) => {
        const started = Date.now();
        const req = session.request({ ':method': 'GET', ':path': '/big' });
        let bytes = 0;
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          chunks.push(chunk);
          req.pause();
          if (bytes < stopAfter) setTimeout(() => req.resume(), 20);
        });
        req.on('close', () => resolve({ bytes, code: req.rstCode ?? -1, ms: Date.now() - started, body: Buffer.concat(chunks) }));
        req.on('error', () => undefined);
        req.resume();
      });
    const slow = await read(Infinity);
    expect(slow).toMatchObject({ bytes: size, code: constants.NGHTTP2_NO_ERROR });
    expect(slow.body.equals(answer)).toBe(true);
    expect(slow.ms).toBeGreaterThan(400); // the premise: longer than clientSend in all
    const stalled = await read(80 * 1024);
    expect(stalled.code).toBe(constants.NGHTTP2_CANCEL);
    expect(stalled.bytes).toBeLessThan(size);
    expect(session.destroyed).toBe(false);
  });
});
