// Upgrade requests through the upstream client (H1Pool driven directly), and a 101 nobody asked for.
import { randomBytes } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { registerCleanup, request, simpleConfig, startProxy } from '../helpers/servers';
import { get, ok, pool, rawServer, Recorder, until } from './upstream-client-servers';

const SWITCH = 'HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\n';

function firstData(socket: Socket): Promise<Buffer> {
  return new Promise((resolve) => socket.once('data', resolve));
}

function closedByPeer(socket: Socket): Promise<void> {
  return new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
}

describe('upstream client: upgrades', () => {
  it('answers 502 at once when the upstream answers 101 to a request that asked for no upgrade', async () => {
    const server = await rawServer((s) => s.write(`${SWITCH}upgrade: websocket\r\n\r\n`));
    const { url } = await startProxy({ ...simpleConfig([server.address]), timeouts: { firstByte: 3000 } });
    const started = Date.now();
    const reply = await request(url, { headers: { accept: 'application/json' } });
    expect([reply.status, JSON.parse(reply.body.toString()).code]).toEqual([502, 'UPSTREAM_BAD_RESPONSE']);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('hands a 101 socket over with the bytes after the head, and later bytes reach the new owner', async () => {
    const server = await rawServer((s) => {
      s.write(`${SWITCH}Upgrade: Echo\r\n\r\nwelcome`);
      s.on('data', (d) => s.write(d)); // echoes everything after the head
    });
    const p = pool(server.host, server.port);
    const recorder = new Recorder();
    p.dispatch(get({ upgrade: 'echo' }), recorder);
    const outcome = await recorder.done;
    expect([outcome.kind, outcome.status, outcome.head!.toString()]).toEqual(['upgrade', 101, 'welcome']);
    expect(server.heads[0]).toMatch(/\r\nconnection: upgrade\r\n/i);
    expect(server.heads[0]).toMatch(/\r\nupgrade: echo(\r\n|$)/i);
    expect(p.size).toBe(0); // it left the pool
    const socket = outcome.socket!;
    registerCleanup(async () => socket.destroy());
    for (const word of ['ping', 'pong', 'x'.repeat(100_000)]) {
      const echoed: Buffer[] = [];
      let length = 0;
      const all = new Promise<void>((resolve) => {
        const onData = (d: Buffer) => {
          echoed.push(d);
          length += d.length;
          if (length >= word.length) {
            socket.off('data', onData);
            resolve();
          }
        };
        socket.on('data', onData);
      });
      socket.write(word);
      await all;
      expect(Buffer.concat(echoed).toString()).toBe(word);
    }
  });

  it('gives a ws WebSocketServer upstream a working WebSocket through the handed-over socket', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => wss.once('listening', r));
    registerCleanup(() => new Promise((r) => wss.close(r)));
    wss.on('connection', (ws) => ws.on('message', (m) => ws.send(`echo ${m}`)));
    const p = pool('127.0.0.1', (wss.address() as AddressInfo).port);
    const recorder = new Recorder();
    const key = randomBytes(16).toString('base64');
    p.dispatch(get({ upgrade: 'websocket', headers: ['host', 'x', 'sec-websocket-key', key, 'sec-websocket-version', '13'] }), recorder);
    const outcome = await recorder.done;
    expect([outcome.kind, outcome.status, outcome.head!.length]).toEqual(['upgrade', 101, 0]);
    const socket = outcome.socket!;
    registerCleanup(async () => socket.destroy());
    // A masked text frame "hello" (RFC 6455 §5.2); the server's answer comes unmasked.
    const mask = randomBytes(4);
    const payload = Buffer.from('hello');
    const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
    const answer = firstData(socket);
    socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
    const frame = await answer;
    expect([frame[0], frame[1], frame.subarray(2).toString()]).toEqual([0x81, 10, 'echo hello']);
  });

  it('passes a non-101 answer to an upgrade request as a normal response, then closes the connection', async () => {
    const server = await rawServer((s) => s.write(ok('no upgrade here')));
    const p = pool(server.host, server.port);
    const recorder = new Recorder();
    p.dispatch(get({ upgrade: 'websocket' }), recorder);
    const outcome = await recorder.done;
    expect([outcome.kind, outcome.status, outcome.body.toString()]).toEqual(['complete', 200, 'no upgrade here']);
    await closedByPeer(server.connections[0]);
    expect(await until(() => p.size === 0)).toBe(true);
  });

  it('fails a 101 whose Upgrade is not the protocol asked for', async () => {
    const server = await rawServer((s) => s.write(`${SWITCH}upgrade: h2c\r\n\r\n`));
    const p = pool(server.host, server.port);
    const recorder = new Recorder();
    p.dispatch(get({ upgrade: 'websocket' }), recorder);
    const outcome = await recorder.done;
    expect([outcome.kind, outcome.error?.code]).toEqual(['error', 'UPSTREAM_PROTOCOL']);
    await closedByPeer(server.connections[0]);
  });

  it('times out an upgrade the upstream never answers after headersTimeout, and closes the socket', async () => {
    const server = await rawServer(() => undefined);
    const p = pool(server.host, server.port);
    const recorder = new Recorder();
    const started = Date.now();
    p.dispatch(get({ upgrade: 'websocket', headersTimeout: 200 }), recorder);
    const outcome = await recorder.done;
    expect([outcome.kind, outcome.error?.code]).toEqual(['error', 'UPSTREAM_HEADERS_TIMEOUT']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
    await closedByPeer(server.connections[0]);
    expect(await until(() => p.size === 0)).toBe(true);
  });

  it('never sends an upgrade request on a pooled connection', async () => {
    const server = await rawServer((s, head) => s.write(head.includes('upgrade') ? `${SWITCH}upgrade: echo\r\n\r\n` : ok('plain')));
    const p = pool(server.host, server.port);
    const first = new Recorder();
    p.dispatch(get(), first);
    expect((await first.done).kind).toBe('complete');
    const upgrade = new Recorder();
    p.dispatch(get({ upgrade: 'echo' }), upgrade);
    const outcome = await upgrade.done;
    registerCleanup(async () => outcome.socket?.destroy());
    expect([outcome.kind, server.connections.length]).toEqual(['upgrade', 2]);
  });
});
