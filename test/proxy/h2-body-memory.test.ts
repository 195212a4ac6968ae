// Pooled body memory behind HTTP/2 answers (downstream/h2-downstream.ts, upstream/h1/body-buffers.ts):
// a held answer's memory goes back to the pool once the stream has finished, and no answer ever
// carries another answer's bytes while that memory is reused, whatever the clients' pace.
import type { ClientHttp2Session } from 'node:http2';
import { simpleConfig, startBackend } from '../helpers/servers';
import { certDir, filesOf, makeCertificate } from '../helpers/tls-certs';
import { h2connect, h2request, startTlsProxy } from '../helpers/tls-clients';
import { takeBodyBuffer } from '../../proxy/src/upstream/h1/body-buffers';

/** `/<size>/<byte>`: `size` bytes of `byte` (a letter), with Content-Length, so the proxy holds it whole. */
async function patternProxy() {
  const backend = await startBackend((req, res) => {
    const [, size, byte] = req.url!.split('/');
    const body = Buffer.alloc(Number(size), byte);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
  const dir = certDir();
  const cert = makeCertificate(dir, 'c', ['localhost']);
  return startTlsProxy(simpleConfig([backend.address]), { certificates: [filesOf(cert)] });
}

/** Reads a stream slowly: pauses after each chunk and resumes on a later turn. */
function slowRequest(session: ClientHttp2Session, path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':path': path });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      chunks.push(Buffer.from(c));
      req.pause();
      setImmediate(() => req.resume());
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

describe('HTTP/2 answers and pooled body memory', () => {
  it('gives a held answer’s memory back to the pool once the stream has finished', async () => {
    const { port } = await patternProxy();
    const session = await h2connect(port);
    const reply = await h2request(session, { ':path': '/65536/Q' });
    expect(reply.body.equals(Buffer.alloc(65536, 'Q'))).toBe(true);
    await new Promise((r) => setImmediate(r)); // 'finish' has run by the time the client read the end
    // The pool hands out the memory given back last: the answer's, still holding its bytes.
    const next = takeBodyBuffer(65536);
    expect(next.equals(Buffer.alloc(65536, 'Q'))).toBe(true);
  });

  it('never sends an answer another answer’s bytes: 600 answers of 5 to 64 KiB, 60 at a time, fast and slow readers, small windows', async () => {
    const { port } = await patternProxy();
    const sessions = [
      await h2connect(port),
      await h2connect(port, { settings: { initialWindowSize: 8 * 1024 } }),
      await h2connect(port, { settings: { initialWindowSize: 1024 } }),
    ];
    let next = 0;
    const wrong: string[] = [];
    const worker = async (w: number) => {
      while (next < 600) {
        const n = next++;
        const size = 5 * 1024 + ((n * 7919) % (60 * 1024));
        const letter = LETTERS[n % LETTERS.length];
        const session = sessions[(n + w) % sessions.length];
        const body = n % 3 === 0 ? await slowRequest(session, `/${size}/${letter}`) : (await h2request(session, { ':path': `/${size}/${letter}` })).body;
        if (!body.equals(Buffer.alloc(size, letter))) wrong.push(`${n}: ${size} bytes of ${letter}, got ${body.length} starting ${JSON.stringify(body.subarray(0, 8).toString())}`);
      }
    };
    await Promise.all(Array.from({ length: 60 }, (_v, w) => worker(w)));
    expect(wrong).toEqual([]);
  }, 60_000);
});

describe('HTTP/2 pooled body memory under resets, the PIECE boundary and a cache', () => {
  async function mixedProxy(clientSend: string | number | undefined) {
    const backend = await startBackend((req, res) => {
      const [, , size, byte] = req.url!.split('/');
      const body = Buffer.alloc(Number(size), byte);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length, 'cache-control': 'max-age=60' });
      res.end(body);
    });
    const dir = certDir();
    const cert = makeCertificate(dir, 'c', ['localhost']);
    const base = simpleConfig([backend.address]);
    return startTlsProxy(
      {
        ...base,
        ...(clientSend === undefined ? {} : { timeouts: { clientSend } }),
        caches: { z: { maxSize: '8m' } },
        routes: [{ match: { path: '/c/' }, proxy: { upstream: 'app' }, cache: { zone: 'z', valid: [{ for: '1m' }] } }, { proxy: { upstream: 'app' } }],
      } as never,
      { certificates: [filesOf(cert)] },
    );
  }

  /** Asks, and resets the stream at its first DATA frame (or at its head when `atHead`). */
  function resetRequest(session: ClientHttp2Session, path: string, atHead: boolean): Promise<void> {
    return new Promise((resolve) => {
      const req = session.request({ ':path': path });
      if (atHead) req.on('response', () => req.close(0x8));
      else req.once('data', () => req.close(0x8));
      req.on('close', () => resolve());
      req.on('error', () => undefined);
      req.resume();
    });
  }

  for (const clientSend of [undefined, 0]) {
    it(`keeps every answer its own with resets mixed in, sizes around 64 KiB, and a cached body served again (clientSend ${clientSend ?? 'default'})`, async () => {
      const { port } = await mixedProxy(clientSend);
      const fast = await h2connect(port);
      const slow = await h2connect(port, { settings: { initialWindowSize: 1024 } });
      const cachedPath = '/c/65536/Z';
      expect((await h2request(fast, { ':path': cachedPath })).body.equals(Buffer.alloc(65536, 'Z'))).toBe(true);
      const sizes = [4095, 4096, 4097, 65535, 65536, 65537, 131072, 20000];
      const wrong: string[] = [];
      let next = 0;
      const worker = async () => {
        while (next < 240) {
          const n = next++;
          const size = sizes[n % sizes.length];
          const letter = LETTERS[n % LETTERS.length];
          const path = `/u/${size}/${letter}`;
          if (n % 4 === 1) await resetRequest(n % 8 === 1 ? slow : fast, path, n % 3 === 0);
          else {
            const body = n % 4 === 2 ? await slowRequest(slow, path) : (await h2request(fast, { ':path': path })).body;
            if (!body.equals(Buffer.alloc(size, letter))) wrong.push(`${n}: ${size} of ${letter}, got ${JSON.stringify(body.subarray(0, 8).toString())}`);
          }
          if (n % 40 === 0) {
            const hit = await h2request(fast, { ':path': cachedPath });
            if (!hit.body.equals(Buffer.alloc(65536, 'Z'))) wrong.push(`HIT after ${n}: ${JSON.stringify(hit.body.subarray(0, 8).toString())}`);
          }
        }
      };
      await Promise.all(Array.from({ length: 24 }, () => worker()));
      expect(wrong).toEqual([]);
    }, 30_000);
  }
});
