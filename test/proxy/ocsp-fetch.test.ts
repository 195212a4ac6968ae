// The OCSP fetch (proxy/src/ocsp/ocsp-fetch.ts) against real HTTP responders: its timeout is a
// deadline for the whole fetch, so a responder dripping its answer byte by byte cannot hold a
// refresh off, and an answer within the deadline still arrives whole.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { postOcsp } from '../../proxy/src/ocsp/ocsp-fetch';
import { registerCleanup } from '../helpers/servers';

/** A responder answering 200 with `bytes` bytes, one every `gapMs`. */
async function drippingResponder(bytes: number, gapMs: number): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/ocsp-response', 'content-length': bytes });
      let sent = 0;
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        res.write(Buffer.from([sent++ & 0xff]));
        if (sent === bytes) {
          clearInterval(timer);
          res.end();
        }
      }, gapMs);
      res.on('close', () => clearInterval(timer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registerCleanup(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe('OCSP fetch', () => {
  it('gives up on a responder that drips its answer after the total timeout, though each byte comes sooner', async () => {
    const url = await drippingResponder(40, 30); // 1.2 s in all, a byte every 30 ms
    const started = Date.now();
    await expect(postOcsp(url, Buffer.from('request'), 300)).rejects.toThrow(/did not answer within 300 ms/);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1000);
  });

  it('returns a dripped answer whole when it ends within the timeout', async () => {
    const url = await drippingResponder(5, 20);
    const der = await postOcsp(url, Buffer.from('request'), 2000);
    expect([...der]).toEqual([0, 1, 2, 3, 4]);
  });
});
