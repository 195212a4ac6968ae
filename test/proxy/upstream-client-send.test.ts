// The sending phase: while the request body goes out only the upstream's reading is timed
// (sendTimeout, NGINX's proxy_send_timeout); the first-byte timeout starts once all was sent.
import http from 'node:http';
import { PassThrough } from 'node:stream';
import { request, simpleConfig, sleep, startBackend, startProxy } from '../helpers/servers';
import { get, pool, rawServer, Recorder } from './upstream-client-servers';

jest.setTimeout(15_000);

describe('upstream client: sending the request body', () => {
  it('does not time a client that stalls mid-body against the upstream (firstByte 200 ms, 500 ms stall)', async () => {
    const backend = await startBackend((_q, res, body) => res.end(`got ${body.length}`));
    const { port } = await startProxy({ ...simpleConfig([backend.address]), timeouts: { firstByte: 200 } });
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ port, host: '127.0.0.1', method: 'POST', agent: false, headers: { 'content-length': 1000 } }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      req.write(Buffer.alloc(10, 'a'));
      setTimeout(() => req.end(Buffer.alloc(990, 'b')), 500);
    });
    expect(reply).toEqual({ status: 200, body: 'got 1000' });
    expect(backend.requests[0].body.equals(Buffer.concat([Buffer.alloc(10, 'a'), Buffer.alloc(990, 'b')]))).toBe(true);
  });

  it('answers 504 after sendTimeout when the upstream stops reading the body (firstByte much longer)', async () => {
    const server = await rawServer((s) => s.pause()); // reads the head, then nothing more
    const { url } = await startProxy({ ...simpleConfig([server.address]), timeouts: { firstByte: 5000, upstreamIdle: 300 } });
    const started = Date.now();
    const reply = await request(url, { method: 'POST', body: Buffer.alloc(32 * 1024 * 1024), headers: { accept: 'application/json' } }).catch((e: Error) => e);
    expect(reply).not.toBeInstanceOf(Error);
    const { status, body } = reply as { status: number; body: Buffer };
    expect([status, JSON.parse(body.toString()).code]).toEqual([504, 'UPSTREAM_TIMEOUT']);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('frees the connection and the body, without onError, when the handler aborts mid-body', async () => {
    const backend = await startBackend();
    const closed = new Promise<void>((r) => backend.server.once('connection', (s) => s.once('close', () => r())));
    const p = pool('127.0.0.1', backend.port);
    const body = new PassThrough();
    const recorder = new Recorder();
    p.dispatch(get({ method: 'POST', body, headers: ['host', 'x', 'content-length', '100'] }), recorder);
    body.write('0123456789');
    await sleep(50);
    recorder.abort!(new Error('client gone'));
    await closed;
    expect(await Promise.race([recorder.done, sleep(100).then(() => 'nothing')])).toBe('nothing');
    expect([p.size, body.listenerCount('data'), body.listenerCount('end'), body.listenerCount('error')]).toEqual([0, 0, 0, 0]);
  });
});
