// Stickiness applies to WebSocket upgrades: the cookie from an earlier HTTP answer decides, and a
// client whose first request is the upgrade gets the cookie on the 101.
import { createHmac } from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { registerCleanup, request, simpleConfig, startProxy } from '../helpers/servers';
import { recordOf } from '../helpers/sticky';

const KEY = 'a-test-key-of-32-characters-long';
const tokenOf = (id: string) => createHmac('sha256', KEY).update(id).digest('base64url').slice(0, 22);

/** HTTP answers its name; a WebSocket echoes "name:message". */
async function echoServer(name: string): Promise<string> {
  const server = http.createServer((_q, res) => res.end(name));
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (data) => ws.send(`${name}:${data}`)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  registerCleanup(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => server.close(r));
  });
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Opens a WebSocket; resolves with it, the server that answered a message, and the 101's headers. */
async function openAndAsk(url: string, headers: Record<string, string> = {}): Promise<{ server: string; upgrade: IncomingMessage }> {
  const ws = new WebSocket(url, { headers });
  registerCleanup(async () => ws.terminate());
  let upgrade: IncomingMessage | null = null;
  ws.once('upgrade', (res) => (upgrade = res));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const answer = await new Promise<string>((resolve) => {
    ws.once('message', (d) => resolve(d.toString()));
    ws.send('hi');
  });
  ws.close();
  return { server: answer.split(':')[0], upgrade: upgrade! };
}

async function stickyProxy() {
  const addresses = await Promise.all(['s0', 's1', 's2', 's3'].map(echoServer));
  return startProxy(simpleConfig(addresses.map((address, i) => ({ address, id: `s${i}` })), { sticky: { cookie: { key: KEY } } }));
}

describe('sticky sessions and WebSocket upgrades', () => {
  it('sends a WebSocket with the cookie of an earlier HTTP answer to that server', async () => {
    const { url, port } = await stickyProxy();
    const first = await request(url);
    const home = first.body.toString();
    const cookie = first.headers['set-cookie']![0].split(';')[0];
    expect(cookie).toBe(`portico_server=${tokenOf(home)}`);
    for (let i = 0; i < 8; i++) {
      const { server, upgrade } = await openAndAsk(`ws://127.0.0.1:${port}/chat`, { cookie });
      expect(server).toBe(home);
      expect(upgrade.headers['set-cookie']).toBeUndefined(); // the client's cookie is valid
    }
  });

  it('balances a WebSocket without a cookie and sets the cookie on the 101', async () => {
    const { port } = await stickyProxy();
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const { server, upgrade } = await openAndAsk(`ws://127.0.0.1:${port}/`);
      seen.add(server);
      expect(upgrade.headers['set-cookie']).toEqual([`portico_server=${tokenOf(server)}`]);
    }
    expect(seen.size).toBe(4);
  });

  it('keeps a bound WebSocket client on a draining server, and sends new ones elsewhere', async () => {
    const { port, proxy } = await stickyProxy();
    recordOf(proxy, 's2').transition('draining', 'admin', 'test');
    expect((await openAndAsk(`ws://127.0.0.1:${port}/`, { cookie: `portico_server=${tokenOf('s2')}` })).server).toBe('s2');
    for (let i = 0; i < 6; i++) expect((await openAndAsk(`ws://127.0.0.1:${port}/`)).server).not.toBe('s2');
  });

  it('moves a WebSocket whose server is down and re-sets the cookie on the 101', async () => {
    const { port, proxy } = await stickyProxy();
    recordOf(proxy, 's1').transition('down', 'admin', 'test');
    const { server, upgrade } = await openAndAsk(`ws://127.0.0.1:${port}/`, { cookie: `portico_server=${tokenOf('s1')}` });
    expect(server).not.toBe('s1');
    expect(upgrade.headers['set-cookie']).toEqual([`portico_server=${tokenOf(server)}`]);
  });
});
