import http from 'node:http';
import pino from 'pino';
import { resolveConfig } from '../../proxy/src/config/load';
import type { ProxyConfig } from '../../proxy/src/config/schema';
import { PorticoProxy } from '../../proxy/src/proxy';
import { registerCleanup, request, startBackend, type Backend } from '../helpers/servers';
import { call, reload, startWithAdmin, until, type AdminProxy } from './admin-support';
import { freePort } from '../helpers/free-port';

/** A backend answering its name; requests to /hold wait until `release()`. */
async function named(name: string) {
  const waiting: (() => void)[] = [];
  let arrived: () => void = () => undefined;
  const backend = await startBackend((q, res) => {
    if (q.url !== '/hold') return void res.end(name);
    waiting.push(() => res.end(`${name} held`));
    arrived();
  });
  return Object.assign(backend, {
    name,
    held: () => new Promise<void>((r) => (arrived = r)),
    release: () => waiting.splice(0).forEach((f) => f()),
  });
}

type Named = Backend & { name: string; held: () => Promise<void>; release: () => void };

function configOf(servers: (Named | ProxyConfig['upstreams'][string]['servers'][number])[]): Omit<ProxyConfig, 'listeners'> {
  return {
    upstreams: { app: { servers: servers.map((s) => ('name' in s ? { address: s.address, id: s.name } : s)) } },
    routes: [{ proxy: { upstream: 'app' } }],
  };
}

async function tally(url: string, n: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const body = (await request(url)).body.toString();
    out[body] = (out[body] ?? 0) + 1;
  }
  return out;
}

const patch = (p: AdminProxy, id: string, json: unknown) => call(p.admin, `/api/upstreams/app/servers/${id}`, { method: 'PATCH', json });
const server = async (p: AdminProxy, id: string) => (await call(p.admin, `/api/upstreams/app/servers/${id}`)).json;
const ids = async (p: AdminProxy) => (await call(p.admin, '/api/upstreams/app')).json.servers.map((s: { id: string }) => s.id);

describe('admin changes: refused with the reason', () => {
  it('requires Content-Type application/json for changes', async () => {
    const a = await named('a');
    const p = await startWithAdmin(configOf([a]));
    for (const type of [undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp']) {
      const reply = await call(p.admin, '/api/upstreams/app/servers/a', { method: 'PATCH', body: '{"state":"down"}', headers: type ? { 'content-type': type } : {} });
      expect([type, reply.status, reply.json]).toEqual([type, 415, { error: 'expected Content-Type: application/json' }]);
    }
    expect((await server(p, 'a')).state).toBe('up');
    const ok = await call(p.admin, '/api/upstreams/app/servers/a', { method: 'PATCH', body: '{"state":"down"}', headers: { 'content-type': 'Application/JSON; charset=utf-8' } });
    expect(ok.status).toBe(200);
  });

  it('caps request bodies at 64 KiB (413), whether announced or streamed', async () => {
    const a = await named('a');
    const p = await startWithAdmin(configOf([a]));
    const big = JSON.stringify({ address: `127.0.0.1:1`, id: 'x'.repeat(70 * 1024) });
    const announced = await call(p.admin, '/api/upstreams/app/servers', { method: 'POST', body: big, headers: { 'content-type': 'application/json' } });
    expect([announced.status, announced.json]).toEqual([413, { error: 'request body larger than 65536 bytes' }]);
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${p.admin}/api/upstreams/app/servers`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      for (let i = 0; i < 70; i++) req.write('x'.repeat(1024));
      req.end();
    });
    expect(streamed).toBe(413);
    expect(await ids(p)).toEqual(['a']);
  });

  it('answers bad JSON, unknown fields and wrong types with 400 naming the field', async () => {
    const a = await named('a');
    const b = await named('b');
    const p = await startWithAdmin(configOf([a, b]));
    const send = (json: unknown) => patch(p, 'a', json);
    const bad = await call(p.admin, '/api/upstreams/app/servers/a', { method: 'PATCH', body: '{"state": ', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/^invalid JSON: /);
    expect((await call(p.admin, '/api/upstreams/app/servers/a', { method: 'PATCH', body: '', headers: { 'content-type': 'application/json' } })).json).toEqual({ error: 'expected a JSON body' });
    expect((await send({ weight: 0 })).json).toEqual({ error: 'invalid change', issues: [{ path: 'weight', message: 'expected integer to be greater or equal to 1' }] });
    expect((await send({ weight: '3' })).json.issues).toEqual([{ path: 'weight', message: 'expected integer' }]);
    expect((await send({ weight: 1.5 })).json.issues).toEqual([{ path: 'weight', message: 'expected integer' }]);
    expect((await send({ state: 'sleeping' })).json.issues).toEqual([{ path: 'state', message: 'expected one of up, draining, down' }]);
    expect((await send({ state: 'down', colour: 'red' })).json.issues).toEqual([{ path: 'colour', message: 'unknown field' }]);
    expect((await send({})).json.issues).toEqual([{ path: '(root)', message: 'expected state or weight' }]);
    expect((await send([1])).status).toBe(400);
    expect((await send(null)).status).toBe(400);
    const post = (json: unknown) => call(p.admin, '/api/upstreams/app/servers', { method: 'POST', json });
    expect((await post({ address: 'nowhere' })).json).toEqual({ error: 'invalid server', issues: [{ path: 'address', message: 'expected host:port' }] });
    expect((await post({ address: '127.0.0.1:70000' })).json.issues).toEqual([{ path: 'address', message: 'port must be 1-65535' }]);
    expect((await post({ address: b.address, id: 'a' })).json.issues).toEqual([{ path: 'id', message: 'duplicate server a' }]);
    expect((await post({ address: b.address, weight: -1, maxFails: 'x' })).json.issues).toEqual([
      { path: 'weight', message: 'expected integer to be greater or equal to 1' },
      { path: 'maxFails', message: 'expected integer' },
    ]);
    expect((await post({ id: 'c' })).json.issues).toEqual([{ path: 'address', message: 'required' }]);
    // Nothing changed.
    expect(await ids(p)).toEqual(['a', 'b']);
    expect(await server(p, 'a')).toMatchObject({ state: 'up', weight: 1 });
  });

  it('answers 404 for unknown upstreams and servers, 405 with Allow for wrong methods', async () => {
    const a = await named('a');
    const p = await startWithAdmin(configOf([a]));
    expect((await patch(p, 'zz', { state: 'down' })).json).toEqual({ error: 'no server zz in upstream app' });
    const nope = await call(p.admin, '/api/upstreams/nope/servers', { method: 'POST', json: { address: a.address } });
    expect([nope.status, nope.json]).toEqual([404, { error: 'no upstream nope' }]);
    expect((await call(p.admin, '/api/upstreams/app/servers/zz', { method: 'DELETE' })).status).toBe(404);
    const put = await call(p.admin, '/api/upstreams/app/servers/a', { method: 'PUT', json: {} });
    expect([put.status, put.headers.allow]).toEqual([405, 'GET, PATCH, DELETE']);
    const post = await call(p.admin, '/api/status', { method: 'POST', json: {} });
    expect([post.status, post.headers.allow]).toEqual([405, 'GET']);
  });

  it('refuses to remove the last non-backup server of an upstream (409)', async () => {
    const a = await named('a');
    const b = await named('b');
    const p = await startWithAdmin(configOf([a, { address: b.address, id: 'b', backup: true }]));
    const reply = await call(p.admin, '/api/upstreams/app/servers/a', { method: 'DELETE' });
    expect([reply.status, reply.json]).toEqual([409, { error: 'cannot remove a: it is the last non-backup server of upstream app' }]);
    expect((await call(p.admin, '/api/upstreams/app/servers/b', { method: 'DELETE' })).status).toBe(200);
    expect(await ids(p)).toEqual(['a']);
  });
});

describe('admin changes: drain, state and weight', () => {
  it('drains a server: new requests go elsewhere, drained once its request in flight ends; undrain restores it', async () => {
    const a = await named('a');
    const b = await named('b');
    const p = await startWithAdmin(configOf([a, b]));
    const arrived = a.held();
    const inFlight = request(`${p.url}/hold`); // round robin starts with a
    await arrived;
    const drain = await patch(p, 'a', { state: 'draining' });
    expect(drain.status).toBe(200);
    expect(drain.json).toMatchObject({ id: 'a', state: 'draining', active: 1, drained: false });
    expect(await tally(p.url, 6)).toEqual({ b: 6 });
    a.release();
    expect((await inFlight).body.toString()).toBe('a held');
    expect(await until(() => server(p, 'a'), (s) => s.drained)).toMatchObject({ state: 'draining', active: 0, drained: true });
    expect((await patch(p, 'a', { state: 'up' })).json).toMatchObject({ state: 'up', drained: false });
    expect(await tally(p.url, 6)).toEqual({ a: 3, b: 3 });
  });

  it('marks a server down and up again', async () => {
    const a = await named('a');
    const b = await named('b');
    const p = await startWithAdmin(configOf([a, b]));
    expect((await patch(p, 'b', { state: 'down' })).json.state).toBe('down');
    expect(await tally(p.url, 4)).toEqual({ a: 4 });
    expect((await patch(p, 'b', { state: 'up' })).json.state).toBe('up');
    expect(await tally(p.url, 4)).toEqual({ a: 2, b: 2 });
  });

  it('changes the round-robin share with weight', async () => {
    const a = await named('a');
    const b = await named('b');
    const p = await startWithAdmin(configOf([a, b]));
    expect((await patch(p, 'a', { weight: 3 })).json).toMatchObject({ weight: 3, effectiveWeight: 3 });
    expect(await tally(p.url, 8)).toEqual({ a: 6, b: 2 });
    await patch(p, 'a', { weight: 1, state: 'up' });
    expect(await tally(p.url, 8)).toEqual({ a: 4, b: 4 });
  });
});

describe('admin changes: add and remove servers', () => {
  it('adds a server that then takes traffic', async () => {
    const a = await named('a');
    const c = await named('c');
    const p = await startWithAdmin(configOf([a]));
    const added = await call(p.admin, '/api/upstreams/app/servers', { method: 'POST', json: { address: c.address, id: 'c', weight: 2 } });
    expect([added.status, added.headers.location]).toEqual([201, '/api/upstreams/app/servers/c']);
    expect(added.json).toMatchObject({ id: 'c', address: c.address, state: 'up', weight: 2, requests: 0 });
    expect(await tally(p.url, 6)).toEqual({ a: 2, c: 4 });
    expect(await ids(p)).toEqual(['a', 'c']);
  });

  it('removes a server: no new traffic, and its request in flight completes', async () => {
    const a = await named('a');
    const b = await named('b');
    const p = await startWithAdmin(configOf([a, b]));
    const arrived = a.held();
    const inFlight = request(`${p.url}/hold`);
    await arrived;
    const removed = await call(p.admin, '/api/upstreams/app/servers/a', { method: 'DELETE' });
    expect([removed.status, removed.json.id, removed.json.active]).toEqual([200, 'a', 1]);
    expect(await ids(p)).toEqual(['b']);
    expect(await tally(p.url, 4)).toEqual({ b: 4 });
    a.release();
    const done = await inFlight;
    expect([done.status, done.body.toString()]).toEqual([200, 'a held']);
    expect(a.requests).toHaveLength(1);
  });
});

describe('admin changes and config reloads', () => {
  it('keep their overrides across a reload of an unchanged file', async () => {
    const [a, b, c, d] = await Promise.all(['a', 'b', 'c', 'd'].map(named));
    const config = configOf([a, b, c]);
    const p = await startWithAdmin(config);
    await patch(p, 'a', { state: 'draining' });
    await patch(p, 'b', { weight: 3 });
    await call(p.admin, '/api/upstreams/app/servers/c', { method: 'DELETE' });
    await call(p.admin, '/api/upstreams/app/servers', { method: 'POST', json: { address: d.address, id: 'd' } });
    await reload(p, { ...config, admin: { listen: '127.0.0.1:0' } });
    expect(await ids(p)).toEqual(['a', 'b', 'd']);
    expect(await server(p, 'a')).toMatchObject({ state: 'draining' });
    expect(await server(p, 'b')).toMatchObject({ weight: 3, state: 'up' });
    expect(await tally(p.url, 8)).toEqual({ b: 6, d: 2 });
  });

  it('keep an operator "up" on a server the file marks down, until the file changes it', async () => {
    const [a, b] = await Promise.all(['a', 'b'].map(named));
    const config = configOf([a, { address: b.address, id: 'b', down: true }]);
    const p = await startWithAdmin(config);
    expect((await patch(p, 'b', { state: 'up' })).json.state).toBe('up');
    await reload(p, { ...config, admin: { listen: '127.0.0.1:0' } });
    expect((await server(p, 'b')).state).toBe('up');
    await reload(p, { ...configOf([a, { address: b.address, id: 'b', down: true, weight: 2 }]), admin: { listen: '127.0.0.1:0' } });
    expect((await server(p, 'b')).state).toBe('down');
  });

  it('drop the override of a server the reloaded file changed (the file wins)', async () => {
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map(named));
    const p = await startWithAdmin(configOf([a, b]));
    await patch(p, 'a', { state: 'draining', weight: 5 });
    await patch(p, 'b', { state: 'down' });
    await call(p.admin, '/api/upstreams/app/servers', { method: 'POST', json: { address: c.address, id: 'c' } });
    // a changed in the file (maxConns), b did not, c is now named by the file itself.
    const next = configOf([{ address: a.address, id: 'a', maxConns: 10 }, b, { address: c.address, id: 'c', weight: 2 }]);
    await reload(p, { ...next, admin: { listen: '127.0.0.1:0' } });
    expect(await server(p, 'a')).toMatchObject({ state: 'up', weight: 1 });
    expect(await server(p, 'b')).toMatchObject({ state: 'down' });
    expect(await server(p, 'c')).toMatchObject({ state: 'up', weight: 2 });
    // Another reload of that file does not bring the old overrides back.
    await reload(p, { ...next, admin: { listen: '127.0.0.1:0' } });
    expect(await server(p, 'a')).toMatchObject({ state: 'up', weight: 1 });
  });
});

describe('admin listener across reloads', () => {
  it('moves when the reload changes its address, and closes when admin is removed', async () => {
    const a = await named('a');
    const config = configOf([a]);
    const p = await startWithAdmin(config);
    const free = await freePort();
    await reload(p, { ...config, admin: { listen: `127.0.0.1:${free}` } });
    expect(p.proxy.adminAddress()).toEqual({ name: 'admin', host: '127.0.0.1', port: free });
    expect((await call(`http://127.0.0.1:${free}`, '/api/status')).status).toBe(200);
    await expect(call(p.admin, '/api/status')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await reload(p, config);
    expect(p.proxy.adminAddress()).toBeNull();
    await expect(call(`http://127.0.0.1:${free}`, '/api/status')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect((await request(p.url)).body.toString()).toBe('a');
  });
});


describe('admin changes: the log', () => {
  it('logs each change once with who made it, and an override the file overrode', async () => {
    const lines: { msg: string; [k: string]: unknown }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const [a, b] = await Promise.all(['a', 'b'].map(named));
    const config = configOf([a, b]);
    const resolved = resolveConfig({ listeners: [{ port: 0, host: '127.0.0.1' }], ...config, admin: { listen: '127.0.0.1:0' } }, 'test', {});
    const proxy = await PorticoProxy.start(resolved, { logger, shutdownGraceMs: 100 });
    registerCleanup(() => proxy.close(100));
    const running = { proxy, port: proxy.addresses()[0].port, url: '', admin: `http://127.0.0.1:${proxy.adminAddress()!.port}` };
    await patch(running, 'a', { state: 'draining' });
    const changes = lines.filter((l) => l.msg.startsWith('admin: '));
    expect(changes).toEqual([expect.objectContaining({ msg: 'admin: upstream server changed', upstream: 'app', server: 'a', change: { state: 'draining' }, by: '127.0.0.1' })]);
    await reload(running, { ...configOf([{ address: a.address, id: 'a', weight: 2 }, b]), admin: { listen: '127.0.0.1:0' } });
    expect(lines.filter((l) => /dropped/.test(l.msg))).toEqual([
      expect.objectContaining({ msg: 'admin change dropped: the config file wins', upstream: 'app', server: 'a', reason: 'the config file changed this server' }),
    ]);
  });
});
