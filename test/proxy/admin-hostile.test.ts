// The admin API against a hostile caller: path tricks around the token, bodies built to pollute
// prototypes or exhaust the parser, odd ids and numbers. Real listeners on 127.0.0.1.
import { pbkdf2 } from 'node:crypto';
import { resolveConfig } from '../../proxy/src/config/load';
import { request, simpleConfig, startBackend } from '../helpers/servers';
import { MAX_WEIGHT } from '../../proxy/src/config/defaults';
import { call, startWithAdmin, TOKEN } from './admin-support';

async function guarded() {
  const backend = await startBackend();
  return startWithAdmin(simpleConfig([backend.address, { address: backend.address, id: 'b' }]), {
    listen: '127.0.0.1:0',
    token: TOKEN,
    requireToken: true,
  });
}

describe('admin API: a caller without the token', () => {
  it('gets 401 for /api and /metrics however the path is spelled (percent-encoding, dot segments)', async () => {
    const { admin } = await guarded();
    const paths = ['/%61pi/status', '/%61%70%69/status', '/api%2fstatus', '/metric%73', '/%6detrics', '/api/../api/status', '/./api/status'];
    for (const path of paths) {
      const reply = await call(admin, path);
      expect([path, reply.status]).toEqual([path, 401]);
    }
    const patched = await call(admin, '/%61pi/upstreams/app/servers/b', { method: 'PATCH', json: { state: 'down' } });
    expect(patched.status).toBe(401);
    const status = await call(admin, '/api/status', { token: TOKEN });
    expect(status.json.upstreams.app.servers[1].state).toBe('up');
  });
});

describe('admin API: hostile bodies', () => {
  it('refuses __proto__ and constructor keys in a POST or PATCH, and pollutes nothing', async () => {
    const { admin } = await guarded();
    const backend = await startBackend();
    const post = await call(admin, '/api/upstreams/app/servers', {
      method: 'POST',
      token: TOKEN,
      body: `{"address":"${backend.address}","id":"c","__proto__":{"polluted":"yes","weight":7}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(post.status).toBe(400);
    expect(post.json.issues).toEqual([{ path: '__proto__', message: 'unknown field' }]);
    const patch = await call(admin, '/api/upstreams/app/servers/b', {
      method: 'PATCH',
      token: TOKEN,
      body: '{"state":"down","constructor":{"prototype":{"polluted":"yes"}}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(patch.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const status = await call(admin, '/api/status', { token: TOKEN });
    expect(status.json.upstreams.app.servers.map((s: { id: string; state: string }) => [s.id, s.state])).toEqual([
      [expect.any(String), 'up'],
      ['b', 'up'],
    ]);
  });

  it('answers 400 to a deeply nested body and stays up', async () => {
    const { admin } = await guarded();
    const deep = '['.repeat(60_000) + ']'.repeat(60_000);
    const reply = await call(admin, '/api/upstreams/app/servers/b', { method: 'PATCH', token: TOKEN, body: deep, headers: { 'content-type': 'application/json' } });
    expect(reply.status).toBe(413); // 120 000 bytes: over the body cap before any parsing
    const nested = '{"weight":' + '['.repeat(30_000) + ']'.repeat(30_000) + '}';
    const second = await call(admin, '/api/upstreams/app/servers/b', { method: 'PATCH', token: TOKEN, body: nested, headers: { 'content-type': 'application/json' } });
    expect(second.status).toBe(400);
    expect(second.json.issues[0].path).toBe('weight');
    expect((await call(admin, '/api/status', { token: TOKEN })).status).toBe(200);
  });

  it('adds and reaches a server whose id holds slashes, spaces, quotes and non-ASCII', async () => {
    const { admin } = await guarded();
    const backend = await startBackend();
    const id = 'a/b ü "<x>"?#%';
    const added = await call(admin, '/api/upstreams/app/servers', { method: 'POST', token: TOKEN, json: { address: backend.address, id } });
    expect(added.status).toBe(201);
    expect(added.headers.location).toBe(`/api/upstreams/app/servers/${encodeURIComponent(id)}`);
    const url = `/api/upstreams/app/servers/${encodeURIComponent(id)}`;
    expect((await call(admin, url, { token: TOKEN })).json.id).toBe(id);
    expect((await call(admin, url, { method: 'PATCH', token: TOKEN, json: { weight: 3 } })).json.weight).toBe(3);
    expect((await call(admin, url, { method: 'DELETE', token: TOKEN })).status).toBe(200);
  });
});

describe('admin API: weights', () => {
  it('refuses a weight too large to balance by (1e308 made round robin send everything to one server), naming the field', async () => {
    const a = await startBackend((_q, res) => res.end('a'));
    const b = await startBackend((_q, res) => res.end('b'));
    const p = await startWithAdmin(simpleConfig([{ address: a.address, id: 'a' }, { address: b.address, id: 'b' }]));
    for (const weight of [1e308, 2 ** 53 + 2, 1e6]) {
      for (const id of ['a', 'b']) {
        const reply = await call(p.admin, `/api/upstreams/app/servers/${id}`, { method: 'PATCH', json: { weight } });
        expect([weight, reply.status, reply.json.issues]).toEqual([weight, 400, [{ path: 'weight', message: 'expected integer to be less or equal to 256' }]]);
      }
    }
    const added = await call(p.admin, '/api/upstreams/app/servers', { method: 'POST', json: { address: a.address, id: 'c', weight: 1e308 } });
    expect([added.status, added.json.issues?.[0]?.path]).toEqual([400, 'weight']);
    const got = [];
    for (let i = 0; i < 6; i++) got.push((await request(p.url)).body.toString());
    expect(got.join('')).toBe('ababab');
  });

  it('keeps a consistent-hash upstream answering after the largest weight is set (its ring grows 160 points per unit)', async () => {
    const a = await startBackend((_q, res) => res.end('a'));
    const b = await startBackend((_q, res) => res.end('b'));
    const p = await startWithAdmin(
      simpleConfig([{ address: a.address, id: 'a' }, { address: b.address, id: 'b' }], { balance: 'hash', hashKey: '$remote_addr', consistent: true }),
    );
    const big = await call(p.admin, '/api/upstreams/app/servers/a', { method: 'PATCH', json: { weight: MAX_WEIGHT } });
    expect(big.status).toBe(200);
    const started = Date.now();
    expect((await request(p.url)).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('admin API: changes racing a reload', () => {
  it('keeps a server added while a reload was opening its listeners', async () => {
    const a = await startBackend((_q, res) => res.end('a'));
    const b = await startBackend((_q, res) => res.end('b'));
    const config = simpleConfig([{ address: a.address, id: 'a' }]);
    const p = await startWithAdmin(config);
    // The reload opens a listener on a name: its lookup waits behind a busy thread pool, so the
    // admin change lands after the reload built its upstreams and before it put them in force.
    const busy = Array.from({ length: 16 }, () => new Promise((resolve) => pbkdf2('x', 'y', 200_000, 32, 'sha256', resolve)));
    const listeners = [{ port: p.port, host: '127.0.0.1' }, { port: 0, host: 'localhost' }];
    const reloading = p.proxy.reload(resolveConfig({ listeners, log: { level: 'silent' }, ...config, admin: { listen: '127.0.0.1:0' } }, 'test'));
    const added = await call(p.admin, '/api/upstreams/app/servers', { method: 'POST', json: { address: b.address, id: 'b' } });
    expect(added.status).toBe(201);
    await reloading;
    await Promise.all(busy);
    const status = await call(p.admin, '/api/status');
    expect(status.json.upstreams.app.servers.map((s: { id: string }) => s.id)).toEqual(['a', 'b']);
    const got = new Set<string>();
    for (let i = 0; i < 4; i++) got.add((await request(p.url)).body.toString());
    expect(got).toEqual(new Set(['a', 'b']));
  });
});
