// Compression of static files: the same link as proxied answers, after the files' own choices
// (a precompressed .br/.gz sibling, a Range) and before the header rules.
import http from 'node:http';
import zlib from 'node:zlib';
import { liveEncoders } from '../../proxy/src/compress/encoder';
import { request, startProxy } from '../helpers/servers';
import { makeTree } from './static-support';

const CSS = Buffer.from(`${'.post { margin: 0 auto; color: #333; }\n'.repeat(400)}`); // ~16 KB
const BIG = Buffer.from('<p>line</p>\n'.repeat(100_000)); // 1.2 MB: streamed from the file

async function filesProxy(files: Record<string, string | Buffer>): Promise<string> {
  const root = makeTree(files);
  const { url } = await startProxy({ upstreams: {}, routes: [{ static: { root }, compress: {} }] });
  return url;
}

describe('compression of static files', () => {
  it.each(['gzip', 'br'])('compresses a file (%s), its ETag made weak', async (encoding) => {
    const url = await filesProxy({ 'style.css': CSS });
    const plain = await request(`${url}/style.css`);
    const reply = await request(`${url}/style.css`, { headers: { 'Accept-Encoding': encoding } });
    expect(reply.headers['content-encoding']).toBe(encoding);
    expect(reply.headers.vary).toBe('Accept-Encoding');
    expect(reply.headers.etag).toBe(`W/${plain.headers.etag}`);
    expect(reply.headers['accept-ranges']).toBeUndefined();
    const body = encoding === 'br' ? zlib.brotliDecompressSync(reply.body) : zlib.gunzipSync(reply.body);
    expect(body.equals(CSS)).toBe(true);
  });

  it('answers a revalidation with its weak ETag with 304', async () => {
    const url = await filesProxy({ 'style.css': CSS });
    const first = await request(`${url}/style.css`, { headers: { 'Accept-Encoding': 'gzip' } });
    const again = await request(`${url}/style.css`, { headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': first.headers.etag! } });
    expect(again.status).toBe(304);
  });

  it('serves a precompressed sibling as it is, never compressing it again', async () => {
    const gz = zlib.gzipSync(CSS, { level: 9 });
    const url = await filesProxy({ 'style.css': CSS, 'style.css.gz': gz });
    const reply = await request(`${url}/style.css`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(reply.headers['content-encoding']).toBe('gzip');
    expect(reply.body.equals(gz)).toBe(true);
  });

  it('leaves a Range answer alone', async () => {
    const url = await filesProxy({ 'style.css': CSS });
    const reply = await request(`${url}/style.css`, { headers: { 'Accept-Encoding': 'gzip', Range: 'bytes=0-99' } });
    expect(reply.status).toBe(206);
    expect(reply.headers['content-encoding']).toBeUndefined();
    expect(reply.body.equals(CSS.subarray(0, 100))).toBe(true);
  });

  it('streams a large file through zlib intact', async () => {
    const url = await filesProxy({ 'big.html': BIG });
    const reply = await request(`${url}/big.html`, { headers: { 'Accept-Encoding': 'br' } });
    expect(reply.headers['content-encoding']).toBe('br');
    expect(zlib.brotliDecompressSync(reply.body).equals(BIG)).toBe(true);
  });

  it('frees the zlib stream when a client leaves a small or a large file unread', async () => {
    const baseline = liveEncoders();
    const url = await filesProxy({ 'style.css': CSS, 'big.html': BIG });
    for (const path of ['/style.css', '/big.html']) {
      const res = await new Promise<http.IncomingMessage>((resolve) => http.get(`${url}${path}`, { agent: false, headers: { 'Accept-Encoding': 'gzip' } }, resolve));
      res.pause();
      res.destroy();
      await new Promise((resolve) => res.on('close', resolve));
    }
    for (let i = 0; i < 50 && liveEncoders() !== baseline; i++) await new Promise((r) => setTimeout(r, 10));
    expect(liveEncoders()).toBe(baseline);
  });
});
