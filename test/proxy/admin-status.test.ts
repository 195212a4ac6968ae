import { WebSocket, WebSocketServer } from 'ws';
import { request, simpleConfig, startBackend } from '../helpers/servers';
import { call, startWithAdmin, until } from './admin-support';

describe('admin status', () => {
  it('counts requests and response classes per server and per route after real traffic', async () => {
    const answer = (name: string) => startBackend((q, res) => {
      res.statusCode = q.url === '/missing' ? 404 : 200;
      res.end(name);
    });
    const a = await answer('a');
    const b = await answer('b');
    const { url, admin } = await startWithAdmin({
      upstreams: { app: { servers: [{ address: a.address, id: 'a' }, { address: b.address, id: 'b' }] } },
      routes: [
        { name: 'api', match: { path: '/api/' }, proxy: { upstream: 'app' } },
        { name: 'web', proxy: { upstream: 'app' } },
        { name: 'old', match: { path: '/old' }, redirect: { location: '/new' } },
      ],
    });
    for (const path of ['/api/x', '/missing', '/api/y', '/page']) await request(url + path);
    const status = (await call(admin, '/api/status')).json;
    expect(status.uptimeMs).toBeGreaterThanOrEqual(0);
    expect(status.startedAt).toBeLessThanOrEqual(Date.now());
    const [sa, sb] = status.upstreams.app.servers;
    expect(sa).toMatchObject({ id: 'a', address: a.address, state: 'up', backup: false, weight: 1, effectiveWeight: 1, active: 0, tunnels: 0, drained: false, requests: 2 });
    // Round robin over both routes (one upstream): a took /api/x and /api/y, b /missing and /page.
    expect(sa.responses).toEqual({ '1xx': 0, '2xx': 2, '3xx': 0, '4xx': 0, '5xx': 0, total: 2 });
    expect(sb).toMatchObject({ id: 'b', address: b.address, requests: 2, responses: { '1xx': 0, '2xx': 1, '3xx': 0, '4xx': 1, '5xx': 0, total: 2 } });
    expect(sa.failures).toBe(0);
    expect(sa.bytesReceived).toBe(2);
    for (const p of ['p50', 'p90', 'p99']) expect(sa.latencyMs[p]).toEqual(expect.any(Number));
    expect(sa.lastCheck).toBeNull();
    expect(status.routes.api).toEqual({ requests: 2, responses: { '1xx': 0, '2xx': 2, '3xx': 0, '4xx': 0, '5xx': 0, total: 2 } });
    expect(status.routes.web.responses).toMatchObject({ '2xx': 1, '4xx': 1, total: 2 });
    expect(Object.keys(status.routes).sort()).toEqual(['api', 'old', 'web']);
  });

  it('gives null percentiles before any response', async () => {
    const a = await startBackend();
    const { admin } = await startWithAdmin(simpleConfig([a.address]));
    const [server] = (await call(admin, '/api/status')).json.upstreams.app.servers;
    expect(server.latencyMs).toEqual({ p50: null, p90: null, p99: null });
  });

  it('shows requests in flight and open tunnels as active and tunnels', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const a = await startBackend((_q, res) => void held.then(() => res.end('late')));
    const wss = new WebSocketServer({ server: a.server });
    wss.on('connection', (ws) => ws.on('message', (m) => ws.send(m)));
    const { url, admin } = await startWithAdmin(simpleConfig([{ address: a.address, id: 'a' }]));
    const slow = request(url + '/slow');
    const server = async () => (await call(admin, '/api/upstreams/app/servers/a')).json;
    expect(await until(server, (s) => s.active === 1)).toMatchObject({ active: 1, tunnels: 0 });
    const ws = new WebSocket(url.replace('http', 'ws') + '/ws');
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    expect(await until(server, (s) => s.tunnels === 1)).toMatchObject({ active: 2, tunnels: 1 });
    release();
    expect((await slow).body.toString()).toBe('late');
    ws.close();
    expect(await until(server, (s) => s.active === 0 && s.tunnels === 0)).toMatchObject({ active: 0, tunnels: 0 });
    wss.close();
  });

  it('answers one upstream, one server, and 404 for names it does not have', async () => {
    const a = await startBackend();
    const { admin } = await startWithAdmin(simpleConfig([{ address: a.address, id: 'a/1' }]));
    expect((await call(admin, '/api/upstreams/app')).json.servers.map((s: { id: string }) => s.id)).toEqual(['a/1']);
    expect((await call(admin, '/api/upstreams/app/servers/a%2F1')).json.id).toBe('a/1');
    const missing = await call(admin, '/api/upstreams/nope');
    expect([missing.status, missing.json]).toEqual([404, { error: 'no upstream nope' }]);
    expect((await call(admin, '/api/upstreams/app/servers/b')).json).toEqual({ error: 'no server b in upstream app' });
    expect((await call(admin, '/api/upstreams/app/servers/%E0%A4%A')).status).toBe(400);
    expect((await call(admin, '/api/status/')).status).toBe(404);
    expect((await call(admin, '/nothing')).status).toBe(404);
  });
});
