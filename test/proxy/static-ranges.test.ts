// Range requests on static files (RFC 9110 §14): one range is 206 with Content-Range, an
// unsatisfiable one 416 with "bytes */size", several ranges the whole file (200, our choice), a
// malformed header is ignored, and If-Range decides whether the range still applies.
import { request } from '../helpers/servers';
import { makeTree, staticProxy } from './static-support';

jest.setTimeout(10_000);

const TEXT = 'abcdefghijklmnopqrstuvwxyz0123456789'; // 36 bytes
/** Larger than the one-read limit, so ranges of it are streamed. */
const BIG = Buffer.from(Array.from({ length: 600 * 1024 }, (_, i) => (i * 7 + (i >> 10)) & 0xff));

async function proxy() {
  return staticProxy({ root: makeTree({ 'a.txt': TEXT, 'big.bin': BIG, 'a.txt.gz': 'GZ-BYTES-0123' }) });
}

describe('a Range request on a static file', () => {
  it.each([
    ['bytes=0-9', 0, 9],
    ['bytes=10-', 10, 35],
    ['bytes=-5', 31, 35],
    ['bytes=30-1000', 30, 35],
    ['bytes=0-0', 0, 0],
    ['bytes=2-4,3-6', 2, 6], // overlapping ranges combine into one
  ])('%s gets 206 with bytes %i-%i', async (range, start, end) => {
    const { url } = await proxy();
    const reply = await request(`${url}/a.txt`, { headers: { range } });
    expect(reply.status).toBe(206);
    expect(reply.headers['content-range']).toBe(`bytes ${start}-${end}/36`);
    expect(reply.headers['content-length']).toBe(String(end - start + 1));
    expect(reply.body.toString()).toBe(TEXT.slice(start, end + 1));
  });

  it('answers an unsatisfiable range with 416 and "bytes */size" (a backwards one too, as NGINX)', async () => {
    const { url } = await proxy();
    for (const range of ['bytes=36-', 'bytes=100-200', 'bytes=5-2']) {
      const reply = await request(`${url}/a.txt`, { headers: { range } });
      expect([range, reply.status, reply.headers['content-range'], reply.body.length]).toEqual([range, 416, 'bytes */36', 0]);
    }
  });

  it('sends the whole file (200) for several disjoint ranges', async () => {
    const { url } = await proxy();
    const reply = await request(`${url}/a.txt`, { headers: { range: 'bytes=0-1,10-11' } });
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe(TEXT);
  });

  it.each(['bytes=abc', 'items=0-5', 'bytes=', 'bytes=-'])('ignores a malformed range "%s" (200 full)', async (range) => {
    const { url } = await proxy();
    const reply = await request(`${url}/a.txt`, { headers: { range } });
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe(TEXT);
  });

  it('applies If-Range only while the ETag or the exact Last-Modified still matches', async () => {
    const { url } = await proxy();
    const { headers } = await request(`${url}/a.txt`);
    const range = 'bytes=0-3';
    expect((await request(`${url}/a.txt`, { headers: { range, 'if-range': headers.etag! } })).status).toBe(206);
    expect((await request(`${url}/a.txt`, { headers: { range, 'if-range': headers['last-modified']! } })).status).toBe(206);
    const stale = await request(`${url}/a.txt`, { headers: { range, 'if-range': '"0-0"' } });
    expect([stale.status, stale.body.toString()]).toEqual([200, TEXT]);
    expect((await request(`${url}/a.txt`, { headers: { range, 'if-range': `W/${headers.etag!}` } })).status).toBe(200);
    expect((await request(`${url}/a.txt`, { headers: { range, 'if-range': 'Mon, 01 Jan 2001 00:00:00 GMT' } })).status).toBe(200);
  });

  it('streams a range of a large file with the right bytes', async () => {
    const { url } = await proxy();
    const reply = await request(`${url}/big.bin`, { headers: { range: 'bytes=1000-500000' } });
    expect(reply.status).toBe(206);
    expect(reply.headers['content-range']).toBe(`bytes 1000-500000/${BIG.length}`);
    expect(reply.body.equals(BIG.subarray(1000, 500001))).toBe(true);
    const whole = await request(`${url}/big.bin`);
    expect(whole.body.equals(BIG)).toBe(true);
  });

  it('answers HEAD with a range with the 206 head only', async () => {
    const { url } = await proxy();
    const reply = await request(`${url}/a.txt`, { method: 'HEAD', headers: { range: 'bytes=1-2' } });
    expect([reply.status, reply.headers['content-range'], reply.headers['content-length'], reply.body.length]).toEqual([206, 'bytes 1-2/36', '2', 0]);
  });

  it('takes ranges of a precompressed sibling in its own bytes', async () => {
    const { url } = await proxy();
    const reply = await request(`${url}/a.txt`, { headers: { range: 'bytes=0-1', 'accept-encoding': 'gzip' } });
    expect([reply.status, reply.headers['content-encoding'], reply.headers['content-range'], reply.body.toString()]).toEqual([206, 'gzip', 'bytes 0-1/13', 'GZ']);
  });
});
