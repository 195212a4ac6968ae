import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { refusedAddress, registerCleanup, simpleConfig, startProxy } from '../helpers/servers';

async function echoServer(name: string) {
  const server = http.createServer((_q, res) => res.end('http'));
  const wss = new WebSocketServer({ server });
  const seenHeaders: http.IncomingHttpHeaders[] = [];
  wss.on('connection', (ws, req) => {
    seenHeaders.push(req.headers);
    ws.on('message', (data) => ws.send(`${name}:${data}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  registerCleanup(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => server.close(r));
  });
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, seenHeaders };
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    registerCleanup(async () => ws.terminate());
  });
}

function roundTrip(ws: WebSocket, text: string): Promise<string> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(data.toString()));
    ws.send(text);
  });
}

describe('WebSocket upgrades', () => {
  it('tunnels a WebSocket to a balanced server, with forwarding headers', async () => {
    const a = await echoServer('a');
    const b = await echoServer('b');
    const { port } = await startProxy(simpleConfig([a.address, b.address]));
    const first = await open(`ws://127.0.0.1:${port}/chat`);
    const second = await open(`ws://127.0.0.1:${port}/chat`);
    const answers = [await roundTrip(first, 'hi'), await roundTrip(second, 'hi'), await roundTrip(first, 'again')];
    expect(answers.sort()).toEqual(['a:again', 'a:hi', 'b:hi']);
    expect(a.seenHeaders[0]['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('answers 502 when its server refuses, and sends later upgrades to the servers left', async () => {
    const good = await echoServer('good');
    const dead = await refusedAddress();
    const both = await startProxy(simpleConfig([dead, good.address]));
    // The dead server is tried once (502), then marked unavailable.
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      try {
        const ws = await open(`ws://127.0.0.1:${both.port}/`);
        outcomes.push(await roundTrip(ws, 'x'));
      } catch (err) {
        outcomes.push((err as Error).message);
      }
    }
    expect(outcomes.filter((o) => o === 'good:x').length).toBeGreaterThanOrEqual(2);
    const none = await startProxy(simpleConfig([dead]));
    await expect(open(`ws://127.0.0.1:${none.port}/`)).rejects.toThrow('Unexpected server response: 502');
  });
});
