// Socket.IO through the proxy in front of four sample-app instances. Long-polling needs every
// request of one Engine.IO session on the instance that holds it: the sticky cookie does that.
// socket.io-client keeps cookies in Node only with `withCredentials: true` (its cookie jar sends
// them on polling requests and on the WebSocket handshake).
import type { IncomingMessage } from 'node:http';
import { io as connect, type Socket } from 'socket.io-client';
import type { ChatMessage, ClientToServerEvents, ServerToClientEvents, Welcome } from '../../app-sample/src/chat-events';
import { startApp, type Running } from '../app-sample/support';
import { registerCleanup, simpleConfig, startProxy } from '../helpers/servers';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

interface Seen {
  instance: string;
  sid: string | null;
  transport: string | null;
  method: string;
}

/** Four instances, and every Socket.IO request each of them received. */
async function instances(): Promise<{ apps: Running[]; seen: Seen[] }> {
  const seen: Seen[] = [];
  const apps = await Promise.all(['io-0', 'io-1', 'io-2', 'io-3'].map((instanceId) => startApp({ instanceId })));
  for (const a of apps) {
    const note = (req: IncomingMessage) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname.startsWith('/socket.io/')) {
        seen.push({ instance: a.app.instanceId, sid: url.searchParams.get('sid'), transport: url.searchParams.get('transport'), method: req.method ?? '' });
      }
    };
    a.app.httpServer.prependListener('request', note);
    a.app.httpServer.prependListener('upgrade', note);
    registerCleanup(() => a.app.close({ timeoutMs: 100 }));
  }
  return { apps, seen };
}

function join(url: string): { client: Client; welcome: Promise<Welcome> } {
  const client: Client = connect(url, { transports: ['polling', 'websocket'], withCredentials: true, forceNew: true, reconnection: false, timeout: 5000 });
  registerCleanup(async () => client.disconnect());
  const welcome = new Promise<Welcome>((resolve, reject) => {
    client.once('welcome', resolve);
    client.once('connect_error', reject);
  });
  return { client, welcome };
}

async function upgraded(client: Client): Promise<string> {
  const engine = client.io.engine;
  if (engine.transport.name !== 'websocket') await new Promise((resolve) => engine.once('upgrade', resolve));
  return engine.transport.name;
}

describe('Socket.IO through a sticky proxy', () => {
  it('long-polls then upgrades every client, delivers messages, and keeps each client on one instance', async () => {
    const { apps, seen } = await instances();
    const servers = apps.map((a) => ({ address: `127.0.0.1:${a.port}`, id: a.app.instanceId }));
    const { url } = await startProxy(simpleConfig(servers, { sticky: { cookie: { key: 'socket-io-test-key-1234' } } }));

    const joined = Array.from({ length: 8 }, () => join(url));
    const welcomes = await Promise.all(joined.map((j) => j.welcome));
    expect(new Set(welcomes.map((w) => w.instance)).size).toBe(4); // new clients are balanced
    for (const { client } of joined) expect(await upgraded(client)).toBe('websocket');

    // A message to the chat comes back relayed by the client's own instance.
    for (let i = 0; i < joined.length; i++) {
      const { client } = joined[i];
      const echoed = new Promise<ChatMessage>((resolve) => client.once('message', resolve));
      await expect(client.emitWithAck('message', `hello ${i}`)).resolves.toEqual({ ok: true });
      expect(await echoed).toMatchObject({ text: `hello ${i}`, instance: welcomes[i].instance });
    }

    // Every request of one Engine.IO session reached one instance: its long-polls and its upgrade.
    const sids = new Map<string, Set<string>>();
    for (const s of seen) if (s.sid !== null) sids.set(s.sid, (sids.get(s.sid) ?? new Set()).add(s.instance));
    expect(sids.size).toBe(8);
    for (const [sid, at] of sids) {
      expect({ sid, instances: [...at] }).toEqual({ sid, instances: [expect.any(String)] });
      const mine = seen.filter((s) => s.sid === sid);
      expect(mine.some((s) => s.transport === 'polling' && s.method === 'GET')).toBe(true);
      expect(mine.some((s) => s.transport === 'polling' && s.method === 'POST')).toBe(true);
      expect(mine.some((s) => s.transport === 'websocket')).toBe(true);
    }
  });

  it('fails without stickiness (the control: round robin sends a session’s polls elsewhere)', async () => {
    const { apps } = await instances();
    const servers = apps.map((a) => ({ address: `127.0.0.1:${a.port}`, id: a.app.instanceId }));
    const { url } = await startProxy(simpleConfig(servers));
    await expect(join(url).welcome).rejects.toThrow();
  });
});
