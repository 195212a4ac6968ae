// On-the-fly compression of proxied responses: real upstreams, real clients that decompress with
// zlib, and the cases where the proxy must leave a response alone.
import type { ServerResponse } from 'node:http';
import zlib from 'node:zlib';
import type { ProxyConfig } from '../../proxy/src/config/schema';
import { startApp } from '../app-sample/support';
import { registerCleanup, request, startBackend, startProxy, type Reply } from '../helpers/servers';

type CompressConfig = NonNullable<ProxyConfig['routes'][number]['compress']>;

const TEXT = Buffer.from('<p>Portico compresses what the client accepts.</p>\n'.repeat(200)); // ~10 KB

/** A proxy with `compress` on its one route, in front of `handler`. */
async function compressing(handler: (res: ServerResponse, method: string) => void, compress: CompressConfig = {}) {
  const backend = await startBackend((req, res) => handler(res, req.method!));
  const { url } = await startProxy({ upstreams: { app: { servers: [{ address: backend.address }] } }, routes: [{ proxy: { upstream: 'app' }, compress }] });
  return url;
}

function html(res: ServerResponse, extra: Record<string, string> = {}): void {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': TEXT.length, ETag: '"v1"', ...extra });
  res.end(TEXT);
}

function get(url: string, acceptEncoding?: string, extra: Record<string, string> = {}): Promise<Reply> {
  return request(url, { headers: acceptEncoding === undefined ? extra : { 'Accept-Encoding': acceptEncoding, ...extra } });
}

function decoded(reply: Reply): Buffer {
  const encoding = reply.headers['content-encoding'];
  if (encoding === 'gzip') return zlib.gunzipSync(reply.body);
  if (encoding === 'br') return zlib.brotliDecompressSync(reply.body);
  return reply.body;
}

describe('compression of proxied responses', () => {
  it.each([
    ['gzip', 'gzip'],
    ['br', 'br'],
    ['gzip, deflate, br', 'br'],
  ])('answers Accept-Encoding %j with %s, decodable to the upstream body', async (accept, encoding) => {
    const url = await compressing((res) => html(res));
    const reply = await get(url, accept);
    expect(reply.headers['content-encoding']).toBe(encoding);
    expect(reply.headers['content-length']).toBeUndefined();
    expect(reply.headers.vary).toBe('Accept-Encoding');
    expect(reply.body.length).toBeLessThan(TEXT.length / 5);
    expect(decoded(reply).equals(TEXT)).toBe(true);
  });

  it('honours quality values and the route order', async () => {
    const url = await compressing((res) => html(res), { encodings: ['gzip', 'br'] });
    expect((await get(url, 'br;q=0, gzip')).headers['content-encoding']).toBe('gzip');
    expect((await get(url, 'br;q=1, gzip;q=0.9')).headers['content-encoding']).toBe('br');
    expect((await get(url, 'br, gzip')).headers['content-encoding']).toBe('gzip');
    expect((await get(url, '*')).headers['content-encoding']).toBe('gzip');
    expect((await get(url, '*;q=0')).headers['content-encoding']).toBeUndefined();
  });

  it('sends identity, with Vary and the length, to a client that accepts no coding it offers', async () => {
    const url = await compressing((res) => html(res));
    for (const accept of [undefined, 'identity', 'deflate', 'gzip;q=0, br;q=0']) {
      const reply = await get(url, accept);
      expect(reply.headers['content-encoding']).toBeUndefined();
      expect(reply.headers['content-length']).toBe(String(TEXT.length));
      expect(reply.headers.vary).toBe('Accept-Encoding');
      expect(reply.headers.etag).toBe('"v1"');
      expect(reply.body.equals(TEXT)).toBe(true);
    }
  });

  it('makes a strong ETag weak and keeps a weak one', async () => {
    const strong = await compressing((res) => html(res));
    expect((await get(strong, 'gzip')).headers.etag).toBe('W/"v1"');
    const weak = await compressing((res) => html(res, { ETag: 'W/"v2"' }));
    expect((await get(weak, 'gzip')).headers.etag).toBe('W/"v2"');
  });

  it('never compresses twice: an encoded body passes as the upstream sent it', async () => {
    const gzipped = zlib.gzipSync(TEXT);
    const url = await compressing((res) => {
      res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Encoding': 'gzip', 'Content-Length': gzipped.length });
      res.end(gzipped);
    });
    const reply = await get(url, 'br, gzip');
    expect(reply.headers['content-encoding']).toBe('gzip');
    expect(reply.headers['content-length']).toBe(String(gzipped.length));
    expect(reply.body.equals(gzipped)).toBe(true);
  });

  it('leaves a Range answer (206) untouched', async () => {
    const part = TEXT.subarray(0, 2000);
    const url = await compressing((res) => {
      res.writeHead(206, { 'Content-Type': 'text/html', 'Content-Range': `bytes 0-1999/${TEXT.length}`, 'Content-Length': 2000, ETag: '"v1"' });
      res.end(part);
    });
    const reply = await get(url, 'gzip', { Range: 'bytes=0-1999' });
    expect(reply.status).toBe(206);
    expect(reply.headers['content-encoding']).toBeUndefined();
    expect(reply.headers.etag).toBe('"v1"');
    expect(reply.body.equals(part)).toBe(true);
  });

  it('leaves bodies under minLength alone, and compresses one of unknown length', async () => {
    const small = Buffer.from('x'.repeat(1023));
    const url = await compressing((res, _m) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': small.length });
      res.end(small);
    });
    const reply = await get(url, 'gzip');
    expect(reply.headers['content-encoding']).toBeUndefined();
    expect(reply.headers.vary).toBeUndefined();
    expect(reply.body.equals(small)).toBe(true);

    const chunked = await compressing((res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('short'); // no Content-Length: the proxy cannot know it is short
    });
    const unknown = await get(chunked, 'gzip');
    expect(unknown.headers['content-encoding']).toBe('gzip');
    expect(decoded(unknown).toString()).toBe('short');
  });

  it('compresses only the listed types (by media type, parameters ignored)', async () => {
    const png = Buffer.alloc(5000, 7);
    const image = await compressing((res) => {
      res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length });
      res.end(png);
    });
    const reply = await get(image, 'gzip');
    expect(reply.headers['content-encoding']).toBeUndefined();
    expect(reply.headers.vary).toBeUndefined();
    expect(reply.body.equals(png)).toBe(true);

    const custom = await compressing((res) => html(res, { 'Content-Type': 'Application/X-Custom ; q=1' }), { types: ['application/x-custom'] });
    expect((await get(custom, 'gzip')).headers['content-encoding']).toBe('gzip');
    const notListed = await compressing((res) => html(res), { types: ['application/x-custom'] });
    expect((await get(notListed, 'gzip')).headers['content-encoding']).toBeUndefined();
  });

  it('respects Cache-Control: no-transform', async () => {
    const url = await compressing((res) => html(res, { 'Cache-Control': 'max-age=60, no-transform' }));
    const reply = await get(url, 'gzip');
    expect(reply.headers['content-encoding']).toBeUndefined();
    expect(reply.body.equals(TEXT)).toBe(true);
  });

  it("merges Accept-Encoding into the upstream's Vary", async () => {
    const url = await compressing((res) => html(res, { Vary: 'Cookie' }));
    expect((await get(url, 'gzip')).headers.vary).toBe('Cookie, Accept-Encoding');
    expect((await get(url)).headers.vary).toBe('Cookie, Accept-Encoding');
    const already = await compressing((res) => html(res, { Vary: 'accept-encoding' }));
    expect((await get(already, 'gzip')).headers.vary).toBe('accept-encoding');
  });

  it('gives HEAD the head a GET gets, without a body', async () => {
    const url = await compressing((res, method) => {
      res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Length': TEXT.length, ETag: '"v1"' });
      res.end(method === 'HEAD' ? undefined : TEXT);
    });
    const head = await request(url, { method: 'HEAD', headers: { 'Accept-Encoding': 'gzip' } });
    const getReply = await get(url, 'gzip');
    expect(head.body.length).toBe(0);
    for (const name of ['content-encoding', 'content-length', 'vary', 'etag']) expect(head.headers[name]).toEqual(getReply.headers[name]);
    expect(head.headers['content-encoding']).toBe('gzip');
  });

  it('leaves bodiless statuses alone', async () => {
    for (const status of [204, 304]) {
      const url = await compressing((res) => {
        res.writeHead(status, { 'Content-Type': 'text/html', ETag: '"v1"' });
        res.end();
      });
      const reply = await get(url, 'gzip');
      expect(reply.status).toBe(status);
      expect(reply.headers['content-encoding']).toBeUndefined();
      expect(reply.headers.etag).toBe('"v1"');
    }
  });

  it('compresses error pages of a listed type too', async () => {
    const url = await compressing((res) => {
      res.writeHead(404, { 'Content-Type': 'text/html' });
      res.end(TEXT);
    });
    const reply = await get(url, 'br');
    expect(reply.status).toBe(404);
    expect(decoded(reply).equals(TEXT)).toBe(true);
  });

  it('costs a route without compress nothing: its answers pass unchanged', async () => {
    const backend = await startBackend((_req, res) => html(res));
    const { url } = await startProxy({ upstreams: { app: { servers: [{ address: backend.address }] } }, routes: [{ proxy: { upstream: 'app' } }] });
    const reply = await get(url, 'gzip, br');
    expect(reply.headers['content-encoding']).toBeUndefined();
    expect(reply.headers.vary).toBeUndefined();
    expect(reply.body.equals(TEXT)).toBe(true);
  });

  it("compresses the sample app's socket.io.js (153 KB of JavaScript) when asked", async () => {
    const app = await startApp();
    registerCleanup(() => app.app.close({ timeoutMs: 100 }));
    const { url } = await startProxy({ upstreams: { app: { servers: [{ address: `127.0.0.1:${app.port}` }] } }, routes: [{ proxy: { upstream: 'app' }, compress: {} }] });
    const direct = await get(`${app.url}/socket.io/socket.io.js`, 'gzip, br');
    expect(direct.headers['content-encoding']).toBeUndefined(); // the app itself does not compress it
    expect(direct.body.length).toBeGreaterThan(100_000);
    for (const encoding of ['gzip', 'br']) {
      const reply = await get(`${url}/socket.io/socket.io.js`, encoding);
      expect(reply.headers['content-encoding']).toBe(encoding);
      expect(reply.headers['content-type']).toMatch(/javascript/);
      expect(reply.body.length).toBeLessThan(direct.body.length / 3);
      expect(decoded(reply).equals(direct.body)).toBe(true);
    }
  });
});
