// HTTP/1.1 Upgrade (WebSocket) through the upstream client: the upstream's answer is read and
// checked before any byte is tunnelled, and tunnels belong to their listener and server.
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { UPGRADE, rawUpstream } from '../helpers/raw-upstream';
import { refusedAddress, registerCleanup, simpleConfig, startProxy } from '../helpers/servers';

/** A raw client: sends `text`, collects what comes back until the connection closes (or `ms`). */
function exchange(port: number, text: string, ms = 3_000, then?: (socket: Socket, got: () => string) => void): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let got = '';
    const timer = setTimeout(() => finish(false), ms);
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: got, closed });
    };
    socket.on('data', (d) => {
      got += d.toString('latin1');
      then?.(socket, () => got);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => finish(true));
  });
}

async function echoServer() {
  const server = http.createServer((_q, res) => res.end('http'));
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo:${data}`)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  registerCleanup(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => server.close(r));
  });
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, wss };
}

describe('upgrade answers', () => {
  it('passes a non-101 answer on as a normal response and tunnels nothing after it', async () => {
    // Before: bytes were piped as soon as TCP connected, so after a 403 the client's next bytes
    // reached the upstream raw, bypassing routes and header rules.
    const upstream = await rawUpstream((s) => s.write('HTTP/1.1 403 Forbidden\r\ncontent-length: 6\r\n\r\ndenied'));
    const { port } = await startProxy(simpleConfig([upstream.address]));
    const reply = await exchange(port, UPGRADE(), 3_000, (socket, got) => {
      if (got().endsWith('denied')) socket.write('GET /smuggled HTTP/1.1\r\nhost: x\r\n\r\n');
    });
    expect(reply.text).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n[\s\S]*\r\n\r\ndenied$/);
    expect(reply.closed).toBe(true);
    expect(upstream.received.join('')).not.toContain('/smuggled');
  });

  it('answers 504 when the upstream never answers, and closes the upstream connection', async () => {
    // Before: no timeout for the answer; the two sockets stayed open until the upstream closed.
    const upstream = await rawUpstream(() => undefined);
    const { port } = await startProxy({ ...simpleConfig([upstream.address]), timeouts: { firstByte: '200ms' } });
    const started = Date.now();
    const reply = await exchange(port, UPGRADE());
    expect(reply.text).toMatch(/^HTTP\/1\.1 504 /);
    expect(Date.now() - started).toBeLessThan(2_000);
    await new Promise<void>((resolve) => (upstream.sockets[0].destroyed ? resolve() : upstream.sockets[0].once('close', () => resolve())));
  });

  it('answers 502 to a 101 that switches to another protocol than the one asked', async () => {
    const upstream = await rawUpstream((s) => s.write('HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: h2c\r\n\r\n'));
    const { port } = await startProxy(simpleConfig([upstream.address]));
    const reply = await exchange(port, UPGRADE());
    expect(reply.text).toMatch(/^HTTP\/1\.1 502 /);
  });

  it('ignores an Upgrade the route does not allow (h2c: answered over HTTP/1.1), and passes one it names', async () => {
    const upstream = await rawUpstream((s, head) => {
      const protocol = /^upgrade: *(\S+)/im.exec(head)?.[1];
      if (protocol) s.write(`HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: ${protocol}\r\n\r\n`);
      else s.end('HTTP/1.1 200 OK\r\ncontent-length: 5\r\nconnection: close\r\n\r\nplain');
    });
    const { port } = await startProxy({
      upstreams: { app: { servers: [{ address: upstream.address }] } },
      routes: [{ match: { path: '/custom' }, proxy: { upstream: 'app', upgrades: ['websocket', 'x-custom'] } }, { proxy: { upstream: 'app' } }],
    });
    // RFC 9110 §7.8 lets a server ignore Upgrade; NGINX answers curl --http2 over HTTP/1.1 too.
    const h2c = await exchange(port, UPGRADE('/', 'h2c'));
    expect(h2c.text).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nplain$/);
    expect(upstream.received.join('')).not.toMatch(/upgrade: h2c/i);
    const custom = await exchange(port, UPGRADE('/custom', 'x-custom'), 500);
    expect(custom.text).toMatch(/^HTTP\/1\.1 101 [\s\S]*upgrade: x-custom\r\n/i);
  });

  it('counts a failed upgrade for passive health only under the retry conditions', async () => {
    // Before: any upgrade that failed before an answer counted, whatever retry.on said.
    const good = await echoServer();
    const dead = await refusedAddress();
    const { port } = await startProxy(simpleConfig([dead, good.address], { failTimeout: '10s', retry: { on: ['timeout'] } }));
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) outcomes.push((await exchange(port, UPGRADE(), 500)).text.slice(0, 12));
    // "error" is not a condition here: the refused server stays in rotation and answers 502 each time.
    expect(outcomes.filter((o) => o === 'HTTP/1.1 502')).toHaveLength(2);
  });
});

describe('tunnels', () => {
  it('are closed by shutdown after the grace period instead of holding it open forever', async () => {
    // Before: upgraded sockets left node:http's connection list, so close() never finished.
    const upstream = await echoServer();
    const { proxy, port } = await startProxy(simpleConfig([upstream.address]));
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    const started = Date.now();
    await proxy.close(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    await closed;
  });

  it('stop reading an upstream that floods a client that reads nothing, and deliver every frame in order once it reads', async () => {
    // 256 MiB of 64 KiB WebSocket frames (the frame follower sees them all). The kernel's buffers
    // on the two connections hold tens of MiB at most; a tunnel that kept reading would take it all.
    const FRAMES = 4096;
    const PAYLOAD = 64 * 1024;
    let framesWritten = 0;
    let stalled!: () => void;
    const upstreamStalled = new Promise<void>((resolve) => (stalled = resolve));
    const upstream = await rawUpstream((socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n');
      const pump = () => {
        while (framesWritten < FRAMES) {
          const frame = Buffer.alloc(10 + PAYLOAD, framesWritten & 0xff);
          frame[0] = 0x82; // FIN, binary
          frame[1] = 127;
          frame.writeBigUInt64BE(BigInt(PAYLOAD), 2);
          framesWritten++;
          if (!socket.write(frame)) {
            // No 'drain' within 300 ms: the proxy stopped reading.
            const timer = setTimeout(stalled, 300);
            socket.once('drain', () => {
              clearTimeout(timer);
              pump();
            });
            return;
          }
        }
        socket.end();
        stalled(); // never held back: the expectation below fails
      };
      pump();
    });
    const { port } = await startProxy(simpleConfig([upstream.address]));
    const client = net.connect(port, '127.0.0.1', () => client.write(UPGRADE()));
    client.pause();
    registerCleanup(async () => client.destroy());
    await upstreamStalled;
    expect(framesWritten).toBeLessThan(FRAMES / 2);

    // Read on: the 101's head, then every frame whole and in order.
    let pending: Buffer = Buffer.alloc(0);
    let head = true;
    let frames = 0;
    let wrong = 0;
    await new Promise<void>((resolve, reject) => {
      client.on('data', (chunk: Buffer) => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        if (head) {
          const end = pending.indexOf('\r\n\r\n');
          if (end === -1) return;
          expect(pending.subarray(0, end).toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
          pending = pending.subarray(end + 4);
          head = false;
        }
        while (pending.length >= 10 + PAYLOAD) {
          const fill = frames & 0xff;
          if (pending[0] !== 0x82 || pending[10] !== fill || pending[9 + PAYLOAD] !== fill) wrong++;
          pending = pending.subarray(10 + PAYLOAD);
          frames++;
        }
      });
      client.on('end', resolve);
      client.on('error', reject);
      client.resume();
    });
    expect({ frames, wrong, left: pending.length }).toEqual({ frames: FRAMES, wrong: 0, left: 0 });
  });

  it('hold their server claim while open (least-conn sends new requests elsewhere)', async () => {
    const a = await echoServer();
    const b = await echoServer();
    const { proxy, port } = await startProxy(simpleConfig([a.address, b.address], { balance: 'least-conn' }));
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    await new Promise<void>((resolve) => ws.once('open', () => resolve()));
    registerCleanup(async () => ws.terminate());
    const servers = proxy.runtime.registry.get('app').servers;
    expect(servers.map((s) => s.active).sort()).toEqual([0, 1]);
    const busy = servers.find((s) => s.active === 1)!;
    expect(busy.record.tunnels.size).toBe(1);
    ws.close();
    await new Promise<void>((resolve) => ws.once('close', () => resolve()));
    await new Promise<void>((resolve) => {
      const check = () => (busy.active === 0 ? resolve() : setTimeout(check, 10));
      check();
    });
    expect(busy.record.tunnels.size).toBe(0);
  });
});
