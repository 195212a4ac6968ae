// Client-side idle timeouts: keep-alive (keepalive_timeout) and a stalled request body
// (client_body_timeout), over raw sockets so the test sees exactly when the proxy closes.
import http from 'node:http';
import net from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { registerCleanup, simpleConfig, sleep, startBackend, startProxy } from '../helpers/servers';

jest.setTimeout(15_000);

/** A raw client connection that records when the proxy closed it and what it received. */
function rawClient(port: number): Promise<{ socket: net.Socket; received: () => string; closedAt: () => number | null }> {
  return new Promise((resolve, reject) => {
    let received = '';
    let closedAt: number | null = null;
    const socket = net.connect(port, '127.0.0.1', () => resolve({ socket, received: () => received, closedAt: () => closedAt }));
    socket.on('data', (d) => (received += d.toString('latin1')));
    socket.on('close', () => (closedAt = Date.now()));
    socket.on('error', () => undefined);
    socket.once('error', reject);
    registerCleanup(async () => socket.destroy());
  });
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await sleep(20);
  }
  return check();
}

describe('client idle timeouts', () => {
  it('closes a keep-alive connection idle for timeouts.clientKeepAlive, not before', async () => {
    const backend = await startBackend((_q, res) => res.end('ok'));
    const { port } = await startProxy({ ...simpleConfig([backend.address]), timeouts: { clientKeepAlive: 800 } });
    const client = await rawClient(port);
    client.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await waitFor(() => client.received().endsWith('ok'), 2000)).toBe(true);
    const answeredAt = Date.now();
    // Still open within the limit: a second request on it is answered. (600 ms to spare: with
    // 200 ms, a loaded machine let node:http's timer fire as the second request arrived.)
    await sleep(200);
    expect(client.closedAt()).toBeNull();
    client.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await waitFor(() => client.received().split('ok').length === 3, 2000)).toBe(true);
    const secondAt = Date.now();
    expect(await waitFor(() => client.closedAt() !== null, 3000)).toBe(true);
    // Idle time counts from the last exchange, not from the first one.
    expect(client.closedAt()! - secondAt).toBeGreaterThanOrEqual(780);
    expect(client.closedAt()! - answeredAt).toBeGreaterThan(980);
  });

  it('cuts a client whose request body stalls for timeouts.clientBody, and the upstream request with it', async () => {
    let upstreamAborted = false;
    const backend = await startBackend((req, res) => {
      req.on('data', () => undefined);
      req.on('end', () => res.end('got it'));
      req.on('aborted', () => (upstreamAborted = true));
      res.on('close', () => {
        if (!res.writableFinished) upstreamAborted = true;
      });
    }, { readBody: false });
    const { port } = await startProxy({ ...simpleConfig([backend.address]), timeouts: { clientBody: 300 } });
    const client = await rawClient(port);
    const started = Date.now();
    client.socket.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789');
    expect(await waitFor(() => client.closedAt() !== null, 3000)).toBe(true);
    expect(client.closedAt()! - started).toBeGreaterThanOrEqual(280);
    expect(client.received()).toBe('');
    expect(await waitFor(() => upstreamAborted, 2000)).toBe(true);
  });

  it('keeps a slowly arriving body alive while bytes keep coming', async () => {
    const backend = await startBackend((req, res) => {
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => res.end(`got ${n}`));
    }, { readBody: false });
    const { port } = await startProxy({ ...simpleConfig([backend.address]), timeouts: { clientBody: 300 } });
    const client = await rawClient(port);
    client.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n');
    for (let i = 0; i < 8; i++) {
      await sleep(150); // each pause under the limit, 1.2 s in all
      client.socket.write('x');
    }
    expect(await waitFor(() => client.received().endsWith('got 8'), 2000)).toBe(true);
    expect(client.closedAt()).toBeNull();
  });

  it('does not apply the body timeout while the upstream takes its time to answer', async () => {
    const backend = await startBackend((_q, res) => {
      setTimeout(() => res.end('slow answer'), 800);
    });
    const { port } = await startProxy({ ...simpleConfig([backend.address]), timeouts: { clientBody: 200, clientKeepAlive: 200 } });
    const client = await rawClient(port);
    client.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi');
    expect(await waitFor(() => client.received().endsWith('slow answer'), 3000)).toBe(true);
  });

  it('leaves an idle WebSocket tunnel open past the keep-alive timeout', async () => {
    const server = http.createServer();
    const wss = new WebSocketServer({ server });
    wss.on('connection', (ws) => ws.on('message', (m) => ws.send(`echo ${m}`)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    registerCleanup(async () => {
      wss.close();
      server.closeAllConnections();
      server.close();
    });
    const address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const { port } = await startProxy({ ...simpleConfig([address]), timeouts: { clientKeepAlive: 200 } });
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    registerCleanup(async () => ws.terminate());
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    await sleep(700);
    const reply = new Promise<string>((resolve) => ws.once('message', (m) => resolve(String(m))));
    ws.send('still here');
    expect(await reply).toBe('echo still here');
  });
});
