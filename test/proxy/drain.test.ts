// Drain (NGINX Plus `drain`): a draining server gets no new clients, what is in flight on it
// finishes, and its WebSockets stay open until the upstream's drainTimeout, then close cleanly with
// 1001 (Going Away) both ways, at frame boundaries. Real ws clients and ws upstream servers.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import type { ProxyConfig } from '../../proxy/src/config/schema';
import { resolveConfig } from '../../proxy/src/config/load';
import type { PorticoProxy } from '../../proxy/src/proxy';
import type { ServerRecord } from '../../proxy/src/upstream/server-state';
import { rawUpstream } from '../helpers/raw-upstream';
import { registerCleanup, request, sleep, startBackend, startProxy, type RunningProxy } from '../helpers/servers';

/** A backend that answers its name; `/slow` sends half a body and the rest when `release` is called. */
async function namedBackend(name: string) {
  const held: (() => void)[] = [];
  const backend = await startBackend((req, res) => {
    if (req.url !== '/slow') return void res.end(name);
    res.writeHead(200, { 'content-length': '2000' });
    res.write('a'.repeat(1000));
    held.push(() => res.end('b'.repeat(1000)));
  });
  return { ...backend, name, held, release: () => held.splice(0).forEach((fn) => fn()) };
}

async function reload(running: RunningProxy, config: Omit<ProxyConfig, 'listeners'>): Promise<void> {
  const port = running.port;
  await running.proxy.reload(resolveConfig({ listeners: [{ port, host: '127.0.0.1' }], log: { level: 'silent' }, ...config }, 'test'));
}

function config(servers: ProxyConfig['upstreams'][string]['servers'], upstream: Partial<ProxyConfig['upstreams'][string]> = {}): Omit<ProxyConfig, 'listeners'> {
  return { upstreams: { app: { ...upstream, servers } }, routes: [{ proxy: { upstream: 'app' } }] };
}

function recordOf(proxy: PorticoProxy, address: string): ServerRecord {
  return proxy.runtime.registry.get('app').servers.find((s) => `${s.config.host}:${s.config.port}` === address)!.record;
}

/** Polls `check` every 5 ms for up to `ms`: true once it holds. */
async function until(check: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) return false;
    await sleep(5);
  }
  return true;
}

async function bodiesOf(port: number, n: number): Promise<string[]> {
  const bodies: string[] = [];
  for (let i = 0; i < n; i++) bodies.push((await request(`http://127.0.0.1:${port}/`)).body.toString());
  return bodies;
}

describe('drain of HTTP requests', () => {
  it('sends new requests elsewhere while a request in flight on the draining server finishes, then reports it drained', async () => {
    const a = await namedBackend('a');
    const b = await namedBackend('b');
    const running = await startProxy(config([{ address: a.address }, { address: b.address }]));
    // Round robin: one slow request on each server.
    const slow = [request(`${running.url}/slow`), request(`${running.url}/slow`)];
    expect(await until(() => a.held.length === 1 && b.held.length === 1)).toBe(true);
    await reload(running, config([{ address: a.address }, { address: b.address, drain: true }]));
    const record = recordOf(running.proxy, b.address);
    expect([record.state, record.drainedBy]).toEqual(['draining', 'config']);
    expect(record.isDrained()).toBe(false);
    let drained: boolean | null = null;
    void record.whenDrained().then((d) => (drained = d));
    expect(new Set(await bodiesOf(running.port, 30))).toEqual(new Set(['a']));
    expect(drained).toBe(null);
    a.release();
    b.release();
    const replies = await Promise.all(slow);
    expect(replies.map((r) => [r.status, r.body.toString()])).toEqual([
      [200, 'a'.repeat(1000) + 'b'.repeat(1000)],
      [200, 'a'.repeat(1000) + 'b'.repeat(1000)],
    ]);
    expect(await until(() => drained === true)).toBe(true);
    expect(record.isDrained()).toBe(true);
  });

  it('takes a server drained in the first config out of service from the start, and back in when the config drops drain', async () => {
    const a = await namedBackend('a');
    const b = await namedBackend('b');
    const running = await startProxy(config([{ address: a.address }, { address: b.address, drain: true }]));
    expect(recordOf(running.proxy, b.address).isDrained()).toBe(true);
    expect(new Set(await bodiesOf(running.port, 10))).toEqual(new Set(['a']));
    await reload(running, config([{ address: a.address }, { address: b.address }]));
    expect(recordOf(running.proxy, b.address).state).toBe('up');
    expect((await bodiesOf(running.port, 10)).filter((n) => n === 'b').length).toBe(5);
  });

  it('keeps a drain set by the admin API across reloads of a config that does not mention drain', async () => {
    const a = await namedBackend('a');
    const b = await namedBackend('b');
    const servers = [{ address: a.address }, { address: b.address }];
    const running = await startProxy(config(servers));
    const record = recordOf(running.proxy, b.address);
    expect(record.transition('draining', 'admin', 'drained by the admin API')).toBe(true);
    await reload(running, config(servers)); // unchanged
    expect([record.state, record.drainedBy]).toEqual(['draining', 'admin']);
    await reload(running, config([{ address: a.address }, { address: b.address, weight: 2 }])); // b changed, no drain
    expect([record.state, record.drainedBy]).toEqual(['draining', 'admin']);
    expect(recordOf(running.proxy, b.address)).toBe(record);
    expect(new Set(await bodiesOf(running.port, 10))).toEqual(new Set(['a']));
    expect(record.transition('up', 'admin', 'undrained by the admin API')).toBe(true);
    expect((await bodiesOf(running.port, 9)).filter((n) => n === 'b').length).toBe(6);
  });
});

interface WsUpstream {
  address: string;
  /** The upstream's side of each connection, in order. */
  peers: WebSocket[];
  /** Close codes the upstream saw, and errors on its side. */
  closes: number[];
  errors: Error[];
}

/** A ws server that echoes messages with its name. */
async function wsUpstream(name: string, options: Partial<WebSocket.ServerOptions> & { greeting?: string } = {}): Promise<WsUpstream> {
  const server = http.createServer((_q, res) => res.end('http'));
  const wss = new WebSocketServer({ server, ...options });
  const up: WsUpstream = { address: '', peers: [], closes: [], errors: [] };
  wss.on('connection', (ws) => {
    up.peers.push(ws);
    // Sent at once: it reaches the proxy with the 101, in the bytes after its head.
    if (options.greeting !== undefined) ws.send(options.greeting);
    ws.on('message', (data, binary) => {
      if (!binary) ws.send(`${name}:${data}`);
    });
    ws.on('close', (code) => up.closes.push(code));
    ws.on('error', (err) => up.errors.push(err));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  registerCleanup(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => server.close(r));
  });
  up.address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return up;
}

interface Client {
  ws: WebSocket;
  closed: Promise<{ code: number; at: number }>;
  errors: Error[];
}

function connect(port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    const errors: Error[] = [];
    const closed = new Promise<{ code: number; at: number }>((r) => ws.once('close', (code) => r({ code, at: Date.now() })));
    ws.on('error', (err) => errors.push(err));
    ws.once('open', () => resolve({ ws, closed, errors }));
    ws.once('unexpected-response', () => reject(new Error('no upgrade')));
    registerCleanup(async () => ws.terminate());
  });
}

function roundTrip(ws: WebSocket, text: string): Promise<string> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(data.toString()));
    ws.send(text);
  });
}

function nextMessage(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(data.toString())));
}

/** Two ws upstreams, a proxy with `drainTimeout`, and one client: its server is the one with a tunnel. */
async function oneTunnel(drainTimeout: number, opts: Parameters<typeof wsUpstream>[1] = {}) {
  const ups = [await wsUpstream('a', opts), await wsUpstream('b', opts)];
  const running = await startProxy(config(ups.map((u) => ({ address: u.address })), { drainTimeout }));
  const client = await connect(running.port);
  const records = ups.map((u) => recordOf(running.proxy, u.address));
  expect(await until(() => records.some((r) => r.tunnels.size === 1))).toBe(true);
  const i = records.findIndex((r) => r.tunnels.size === 1);
  return { running, client, record: records[i], upstream: ups[i], other: ups[1 - i] };
}

describe('drain of WebSockets', () => {
  it('keeps a WebSocket passing messages both ways until the drain timeout, then closes it with 1001 both ways', async () => {
    const { client, record, upstream } = await oneTunnel(400);
    const started = Date.now();
    record.transition('draining', 'admin', 'test');
    await sleep(100);
    expect(await roundTrip(client.ws, 'still here')).toMatch(/:still here$/);
    const pushed = nextMessage(client.ws);
    upstream.peers[0].send('from the server');
    expect(await pushed).toBe('from the server');
    expect(record.isDrained()).toBe(false);
    const { code, at } = await client.closed;
    expect(code).toBe(1001);
    expect(at - started).toBeGreaterThanOrEqual(390);
    expect(await until(() => upstream.closes.length === 1)).toBe(true);
    expect(upstream.closes).toEqual([1001]);
    expect([client.errors, upstream.errors]).toEqual([[], []]);
    expect(await record.whenDrained()).toBe(true);
    expect([record.tunnels.size, record.active]).toEqual([0, 0]);
  });

  it('closes with 1001 intact while fragmented 1 MiB messages and pings flow both ways', async () => {
    const { client, record, upstream } = await oneTunnel(300, { greeting: 'hello' });
    const peer = upstream.peers[0];
    const received = { client: 0, upstream: 0 };
    client.ws.on('message', (d: Buffer) => (received.client += d.length));
    peer.on('message', (d: Buffer) => (received.upstream += d.length));
    const flood = (ws: WebSocket) => floodUntilClosed(ws, Buffer.alloc(64 * 1024, 0x88));
    const floods = Promise.all([flood(client.ws), flood(peer)]);
    // A whole 1 MiB message each way first: the flow is at full speed both ways when the drain begins.
    expect(await until(() => received.client > 1 << 20 && received.upstream >= 1 << 20, 10_000)).toBe(true);
    record.transition('draining', 'admin', 'test');
    const { code } = await client.closed;
    await floods;
    expect(await until(() => upstream.closes.length === 1)).toBe(true);
    expect([code, upstream.closes[0]]).toEqual([1001, 1001]);
    expect([client.errors, upstream.errors]).toEqual([[], []]);
    expect(await until(() => record.tunnels.size === 0)).toBe(true);
  });

  it('keeps a WebSocket open past the timeout when the server is undrained before it', async () => {
    const { client, record } = await oneTunnel(150);
    record.transition('draining', 'admin', 'test');
    const drained = record.whenDrained();
    await sleep(50);
    record.transition('up', 'admin', 'test');
    expect(await drained).toBe(false);
    await sleep(250);
    expect(await roundTrip(client.ws, 'after')).toMatch(/:after$/);
    expect(record.tunnels.size).toBe(1);
  });

  it('lets a tunnel that opened after the drain began live drainTimeout from its opening', async () => {
    // The upstream takes 250 ms to accept: the claim came before the drain, the tunnel after it.
    const ups = [await wsUpstream('slow', { verifyClient: (_info, cb) => void setTimeout(() => cb(true), 250) })];
    const running = await startProxy(config([{ address: ups[0].address }], { drainTimeout: 200 }));
    const record = recordOf(running.proxy, ups[0].address);
    const connecting = connect(running.port);
    expect(await until(() => record.active === 1)).toBe(true);
    const drainedAt = Date.now();
    record.transition('draining', 'admin', 'test');
    const client = await connecting;
    const tunnel = [...record.tunnels][0];
    expect(tunnel.openedAt - drainedAt).toBeGreaterThanOrEqual(100);
    await sleep(Math.max(0, drainedAt + 250 - Date.now())); // past drain start + 200 ms
    expect(await roundTrip(client.ws, 'x')).toBe('slow:x');
    const { code, at } = await client.closed;
    expect(code).toBe(1001);
    expect(at - tunnel.openedAt).toBeGreaterThanOrEqual(200);
  });

  it('closes a WebSocket on a server drained by config after the timeout, and a reload keeps the drain clock', async () => {
    const { running, client, record, upstream, other } = await oneTunnel(30_000);
    const servers = (drain: boolean) => [upstream, other].map((u) => ({ address: u.address, drain: u === upstream && drain }));
    await reload(running, config(servers(true), { drainTimeout: 30_000 }));
    expect(record.drainedBy).toBe('config');
    const started = Date.now();
    await sleep(100);
    await reload(running, config(servers(true), { drainTimeout: 200 })); // counted from the drain's start
    const { code, at } = await client.closed;
    expect(code).toBe(1001);
    expect(at - started).toBeLessThan(3000); // not 30 s
    expect(await until(() => upstream.closes.length === 1)).toBe(true);
    expect(upstream.closes).toEqual([1001]);
  });

  it('leaves a WebSocket that closes on its own before the timeout alone', async () => {
    const { client, record, upstream } = await oneTunnel(100);
    record.transition('draining', 'admin', 'test');
    client.ws.close(1000, 'bye');
    expect((await client.closed).code).toBe(1000);
    expect(await until(() => upstream.closes.length === 1)).toBe(true);
    expect(upstream.closes).toEqual([1000]);
    expect(await until(() => record.isDrained())).toBe(true);
  });

  it('ends a non-WebSocket upgrade tunnel at the drain timeout', async () => {
    const upstream = await rawUpstream((s) => {
      s.write('HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: x-custom\r\n\r\nhello');
      s.on('end', () => s.end());
    });
    const running = await startProxy({
      upstreams: { app: { drainTimeout: 100, servers: [{ address: upstream.address }] } },
      routes: [{ proxy: { upstream: 'app', upgrades: ['x-custom'] } }],
    });
    const socket = net.connect(running.port, '127.0.0.1');
    socket.write('GET / HTTP/1.1\r\nhost: x\r\nconnection: upgrade\r\nupgrade: x-custom\r\n\r\n');
    let got = '';
    socket.on('data', (d) => (got += d.toString('latin1')));
    const ended = new Promise<void>((resolve) => socket.on('end', () => resolve()));
    const record = recordOf(running.proxy, upstream.address);
    expect(await until(() => got.endsWith('hello'))).toBe(true);
    record.transition('draining', 'admin', 'test');
    await ended;
    socket.end();
    expect(await until(() => record.tunnels.size === 0)).toBe(true);
  });
});

describe('drain against hostile peers', () => {
  it('never puts its Close inside a frame that does not end, and cuts the tunnel a second later', async () => {
    // The upstream starts a frame that claims 2^62 bytes and sends 3 of them.
    const frameStart = Buffer.from([0x82, 127, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3]);
    const upstream = await rawUpstream((s) => {
      s.write('HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n');
      s.write(frameStart);
    });
    const running = await startProxy(config([{ address: upstream.address }], { drainTimeout: 50 }));
    const socket = net.connect(running.port, '127.0.0.1');
    socket.write('GET / HTTP/1.1\r\nhost: x\r\nconnection: upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => undefined);
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
    const record = recordOf(running.proxy, upstream.address);
    expect(await until(() => Buffer.concat(chunks).includes(frameStart))).toBe(true);
    const drainedAt = Date.now();
    record.transition('draining', 'admin', 'test');
    const at = await closed;
    expect(at - drainedAt).toBeGreaterThanOrEqual(1000);
    expect(at - drainedAt).toBeLessThan(3000);
    const got = Buffer.concat(chunks);
    expect(got.subarray(got.indexOf('\r\n\r\n') + 4)).toEqual(frameStart); // nothing after it
    // The upstream got our masked Close 1001 (the client's direction was at a boundary).
    const sent = Buffer.from(upstream.received.join(''), 'latin1');
    const close = sent.subarray(sent.indexOf('\r\n\r\n') + 4);
    expect([close.length, close[0], close[1]]).toEqual([8, 0x88, 0x82]);
    expect([close[6] ^ close[2], close[7] ^ close[3]]).toEqual([1001 >> 8, 1001 & 0xff]);
    expect(await until(() => record.tunnels.size === 0 && record.active === 0)).toBe(true);
  });
});

describe('shutdown', () => {
  it('tells WebSocket clients and upstreams 1001 Going Away when the grace is over', async () => {
    const { running, client, upstream } = await oneTunnel(30_000);
    await running.proxy.close(100);
    expect((await client.closed).code).toBe(1001);
    expect(await until(() => upstream.closes.length === 1)).toBe(true);
    expect(upstream.closes).toEqual([1001]);
  });
});

/**
 * Sends 1 MiB messages as 16 fragments of 64 KiB, with pings between fragments, until the socket
 * stops being open (bounded: 200 messages at most). Four pings a message: ws terminates a peer
 * that leaves more than 60 of its pongs unsent (maxPendingAutoPongs).
 */
async function floodUntilClosed(ws: WebSocket, fragment: Buffer): Promise<void> {
  const send = (data: Buffer, fin: boolean) =>
    new Promise<boolean>((resolve) => ws.send(data, { fin, binary: true }, (err) => resolve(err === undefined || err === null)));
  for (let message = 0; message < 200; message++) {
    for (let i = 0; i < 16; i++) {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (!(await send(fragment, i === 15))) return;
      if (i % 4 === 1 && ws.readyState === WebSocket.OPEN) ws.ping();
    }
  }
}
