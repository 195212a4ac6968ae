// What the client side of the proxy does when clients are slow, stall, or get an early answer,
// and how a reload changes the timeouts of listeners already running.
import net, { type Socket } from 'node:net';
import { resolveConfig } from '../../proxy/src/config/load';
import { registerCleanup, request, simpleConfig, startBackend, startProxy } from '../helpers/servers';

/** A raw client connection to the proxy; resolves once connected. */
async function connect(port: number): Promise<{ socket: Socket; write: (d: string | Buffer) => boolean; on: Socket['on']; received: () => string; closed: Promise<number> }> {
  const socket = net.connect(port, '127.0.0.1');
  let data = '';
  socket.on('data', (d) => (data += d.toString('latin1')));
  socket.on('error', () => undefined);
  const started = Date.now();
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - started)));
  registerCleanup(async () => socket.destroy());
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, write: (d) => socket.write(d), on: socket.on.bind(socket), received: () => data, closed };
}

/** Resolves with how the promise ended, or 'pending' after `ms` (a bound on tests that would hang). */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'pending'> {
  return Promise.race([promise, new Promise<'pending'>((r) => setTimeout(r, ms, 'pending').unref())]);
}

describe('slow clients', () => {
  it('never take healthy servers out: a client stalling mid-body is cut by the body timeout, others get 200', async () => {
    // Before: the first-byte timer ran while the body was arriving, so three stalled uploads made
    // all three servers "unavailable" and every other client got 503 for failTimeout.
    const backends = await Promise.all([1, 2, 3].map(() => startBackend((_q, res) => res.end('ok'))));
    const { port, url } = await startProxy({
      ...simpleConfig(backends.map((b) => b.address), { failTimeout: '10s' }),
      timeouts: { firstByte: '200ms', clientBody: '600ms' },
    });
    const stalled = await Promise.all([1, 2, 3].map(() => connect(port)));
    for (const s of stalled) s.write('POST /upload HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n0123456789');
    const statuses: number[] = [];
    const until = Date.now() + 500;
    while (Date.now() < until) statuses.push((await request(url)).status);
    const cut = await Promise.all(stalled.map((s) => within(s.closed, 3_000)));
    for (let i = 0; i < 5; i++) statuses.push((await request(url)).status);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    // Cut at the body timeout (600 ms, swept at a quarter of it), not by the 200 ms first-byte timer.
    for (const ms of cut) {
      expect(ms).not.toBe('pending');
      expect(ms).toBeGreaterThanOrEqual(550);
    }
  });
});

describe('an answer before the upload ended', () => {
  it('drops the rest of the upload and keeps the connection usable', async () => {
    // Before: the proxy stopped reading the client's body after the upstream's early answer, so
    // the upload (and the next request on the connection) stalled until a timeout.
    // An upstream that stops reading and answers early (e.g. a 413 for a body it will not take).
    const sockets: Socket[] = [];
    const backend = net.createServer((socket) => {
      sockets.push(socket);
      socket.once('data', (d) => {
        socket.pause();
        const early = d.toString('latin1').startsWith('PUT');
        // Answers once the proxy has had time to fill the socket and stop sending (backpressure).
        setTimeout(() => socket.end(early ? 'HTTP/1.1 413 Payload Too Large\r\ncontent-length: 9\r\nconnection: close\r\n\r\ntoo large' : 'HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nnext'), early ? 200 : 0);
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    registerCleanup(() => {
      sockets.forEach((s) => s.destroy());
      return new Promise((r) => backend.close(r));
    });
    const address = `127.0.0.1:${(backend.address() as net.AddressInfo).port}`;
    const { port } = await startProxy(simpleConfig([address]));
    const client = await connect(port);
    const size = 8 * 1024 * 1024;
    client.write(`PUT /big HTTP/1.1\r\nhost: x\r\ncontent-length: ${size}\r\n\r\n`);
    const chunk = Buffer.alloc(64 * 1024, 97);
    for (let sent = 0; sent < size; sent += chunk.length) client.write(chunk);
    client.write('GET /next HTTP/1.1\r\nhost: x\r\n\r\n');
    const both = new Promise<void>((resolve) => {
      const check = () => {
        if (/HTTP\/1\.1 413[\s\S]*HTTP\/1\.1 200[\s\S]*next$/.test(client.received())) resolve();
      };
      client.on('data', check);
    });
    expect(await within(both, 3_000)).not.toBe('pending');
  });
});

describe('reload', () => {
  it('applies a shorter clientKeepAlive to a running listener', async () => {
    const backend = await startBackend();
    const config = { ...simpleConfig([backend.address]), timeouts: { clientKeepAlive: '30s' } };
    const { proxy, port } = await startProxy(config);
    await proxy.reload(resolveConfig({ ...config, listeners: [{ port, host: '127.0.0.1' }], log: { level: 'silent' }, timeouts: { clientKeepAlive: '200ms' } }));
    const client = await connect(port);
    client.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n');
    const ms = await within(client.closed, 3_000);
    expect(ms).not.toBe('pending');
    expect(client.received()).toMatch(/^HTTP\/1\.1 200/);
  });

  it('applies a shorter clientHeader to a running listener', async () => {
    const backend = await startBackend();
    const config = { ...simpleConfig([backend.address]), timeouts: { clientHeader: '30s' } };
    const { proxy, port } = await startProxy(config);
    await proxy.reload(resolveConfig({ ...config, listeners: [{ port, host: '127.0.0.1' }], log: { level: 'silent' }, timeouts: { clientHeader: '300ms' } }));
    const client = await connect(port);
    client.write('GET / HTTP/1.1\r\nhost: x\r\n');
    const ms = await within(client.closed, 5_000);
    expect(ms).not.toBe('pending');
    expect(backend.requests).toHaveLength(0);
  });

  it('lets a request in flight finish on the server it began with, and releases its claim', async () => {
    let answer: (() => void) | null = null;
    const old = await startBackend((_q, res) => (answer = () => res.end('old')));
    const next = await startBackend((_q, res) => res.end('new'));
    const { proxy, url, port } = await startProxy(simpleConfig([old.address]));
    const oldServer = proxy.runtime.registry.get('app').servers[0];
    const inFlight = request(url);
    await new Promise<void>((resolve) => (old.requests.length > 0 ? resolve() : old.server.once('request', () => resolve())));
    await proxy.reload(resolveConfig({ ...simpleConfig([next.address]), listeners: [{ port, host: '127.0.0.1' }], log: { level: 'silent' } }));
    expect((await request(url)).body.toString()).toBe('new');
    (answer as (() => void) | null)?.();
    const reply = await inFlight;
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe('old');
    expect(oldServer.active).toBe(0);
  });
});
