// The Socket.IO chat with real socket.io-client connections, over each transport.
import { io as connect, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import type { ChatMessage, ClientToServerEvents, ServerToClientEvents, Welcome } from '../../app-sample/src/chat-events';
import { startApp, type Running } from './support';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

describe('chat (Socket.IO)', () => {
  let s: Running;
  let other: Running;
  const clients: Client[] = [];

  beforeAll(async () => {
    s = await startApp({ instanceId: 'chat-1' });
    other = await startApp({ instanceId: 'chat-2' });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect();
  });
  afterAll(() => Promise.all([s.app.close(), other.app.close()]));

  /** A connected client and its welcome; `transports` as the socket.io-client option. */
  async function join(url: string, transports: ('polling' | 'websocket')[]): Promise<{ client: Client; welcome: Welcome }> {
    const client: Client = connect(url, { transports, forceNew: true, reconnection: false, timeout: 5000 });
    clients.push(client);
    const welcome = await new Promise<Welcome>((resolve, reject) => {
      client.once('welcome', resolve);
      client.once('connect_error', reject);
    });
    return { client, welcome };
  }

  const nextMessage = (client: Client) => new Promise<ChatMessage>((resolve) => client.once('message', resolve));

  it('connects with long-polling only, and stays on it', async () => {
    const { client, welcome } = await join(s.url, ['polling']);
    expect(welcome).toMatchObject({ instance: 'chat-1', nick: expect.stringMatching(/^guest-[0-9a-f]{4}$/) });
    expect(client.io.engine.transport.name).toBe('polling');
    // a round trip over polling
    await expect(client.emitWithAck('nick', 'polly')).resolves.toEqual({ ok: true, nick: 'polly' });
    expect(client.io.engine.transport.name).toBe('polling');
  });

  it('connects with WebSocket only', async () => {
    const { client, welcome } = await join(s.url, ['websocket']);
    expect(welcome.instance).toBe('chat-1');
    expect(client.io.engine.transport.name).toBe('websocket');
  });

  it('upgrades from polling to WebSocket when both are allowed', async () => {
    const { client } = await join(s.url, ['polling', 'websocket']);
    if (client.io.engine.transport.name !== 'websocket') {
      await new Promise((resolve) => client.io.engine.once('upgrade', resolve));
    }
    expect(client.io.engine.transport.name).toBe('websocket');
  });

  it('broadcasts a nickname and message to every client of the instance, across transports', async () => {
    const alice = (await join(s.url, ['polling'])).client;
    const bob = (await join(s.url, ['websocket'])).client;
    await expect(alice.emitWithAck('nick', '  alice  ')).resolves.toEqual({ ok: true, nick: 'alice' });

    const toBob = nextMessage(bob);
    const toAlice = nextMessage(alice);
    await expect(alice.emitWithAck('message', 'hello bob')).resolves.toEqual({ ok: true });
    const expected = { nick: 'alice', text: 'hello bob', instance: 'chat-1', at: expect.any(String) };
    expect(await toBob).toEqual(expected);
    expect(await toAlice).toEqual(expected);
  });

  it('tells the others when someone joins', async () => {
    const first = (await join(s.url, ['websocket'])).client;
    const presence = new Promise((resolve) => first.once('presence', resolve));
    const { welcome } = await join(s.url, ['polling']);
    expect(await presence).toEqual({ nick: welcome.nick, joined: true, online: welcome.online });
  });

  it('refuses blank or oversized nicknames and messages', async () => {
    const { client } = await join(s.url, ['websocket']);
    await expect(client.emitWithAck('nick', '   ')).resolves.toMatchObject({ ok: false });
    await expect(client.emitWithAck('nick', 'x'.repeat(33))).resolves.toMatchObject({ ok: false });
    await expect(client.emitWithAck('message', '')).resolves.toMatchObject({ ok: false });
    await expect(client.emitWithAck('message', 42 as unknown as string)).resolves.toMatchObject({ ok: false });
  });

  it('does not reach clients of another instance (no shared adapter)', async () => {
    const here = (await join(s.url, ['websocket'])).client;
    const there = (await join(other.url, ['websocket'])).client;
    let leaked = false;
    there.on('message', () => (leaked = true));
    const echoed = nextMessage(here);
    await here.emitWithAck('message', 'only for chat-1');
    await echoed;
    await new Promise((r) => setTimeout(r, 150));
    expect(leaked).toBe(false);
  });

  it('sends X-Instance on the WebSocket handshake too', async () => {
    const ws = new WebSocket(`${s.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`);
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      ws.once('upgrade', (res) => resolve(res.headers));
      ws.once('error', reject);
    });
    ws.close();
    expect(headers['x-instance']).toBe('chat-1');
  });
});
