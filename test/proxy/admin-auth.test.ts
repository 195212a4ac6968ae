import http from 'node:http';
import net from 'node:net';
import { isLoopback } from '../../proxy/src/admin/admin-auth';
import { resolveConfig } from '../../proxy/src/config/load';
import { createLogger } from '../../proxy/src/log';
import { PorticoProxy } from '../../proxy/src/proxy';
import { simpleConfig, startBackend } from '../helpers/servers';
import { call, reload, startWithAdmin, TOKEN } from './admin-support';

async function guarded() {
  const backend = await startBackend();
  const config = simpleConfig([backend.address]);
  return { config, ...(await startWithAdmin(config, { listen: '127.0.0.1:0', token: TOKEN, requireToken: true })) };
}

describe('admin listener: who may use it', () => {
  it('serves a loopback admin listener without a token when none is required', async () => {
    const backend = await startBackend();
    const { admin } = await startWithAdmin(simpleConfig([backend.address]));
    const reply = await call(admin, '/api/status');
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.json.upstreams)).toEqual(['app']);
  });

  it('answers 401 with the same hintless body for a missing, malformed, wrong or odd-length token', async () => {
    const { admin } = await guarded();
    const attempts: http.OutgoingHttpHeaders[] = [
      {},
      { authorization: '' },
      { authorization: 'Bearer' },
      { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` },
      { authorization: `Bearer ${TOKEN} extra` },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}x` }, // same length, last character wrong
      { authorization: `Bearer ${TOKEN}0` }, // one longer
      { authorization: 'Bearer x' },
      { authorization: `Bearer ${'a'.repeat(4000)}` },
    ];
    const replies = [];
    for (const headers of attempts) replies.push(await call(admin, '/api/status', { headers }));
    for (const reply of replies) {
      expect(reply.status).toBe(401);
      expect(reply.headers['www-authenticate']).toBe('Bearer');
      expect(reply.text).toBe('{"error":"unauthorized"}');
    }
  });

  it('accepts the right token (the scheme in any case) on /api and /metrics', async () => {
    const { admin } = await guarded();
    expect((await call(admin, '/api/status', { token: TOKEN })).status).toBe(200);
    expect((await call(admin, '/api/status', { headers: { authorization: `bearer ${TOKEN}` } })).status).toBe(200);
    expect((await call(admin, '/metrics')).status).toBe(401);
    expect((await call(admin, '/metrics', { token: TOKEN })).status).toBe(200);
  });

  it('asks for the token before telling whether an /api path exists, or what it allows', async () => {
    const { admin } = await guarded();
    expect((await call(admin, '/api/nothing-here')).status).toBe(401);
    expect((await call(admin, '/api/upstreams/nope/servers/x', { method: 'DELETE' })).status).toBe(401);
    expect((await call(admin, '/api/nothing-here', { token: TOKEN })).status).toBe(404);
  });

  it('serves the dashboard page without a token, with security headers and no CORS', async () => {
    const { admin } = await guarded();
    const page = await call(admin, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['content-security-policy']).toMatch(/^default-src 'self';/);
    expect(page.headers['content-security-policy']).not.toMatch(/unsafe-inline/);
    const preflight = await call(admin, '/api/status', {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'PATCH' },
    });
    expect(preflight.status).toBe(401);
    const allowed = await call(admin, '/api/status', { method: 'OPTIONS', token: TOKEN, headers: { origin: 'http://evil.example' } });
    expect(allowed.status).toBe(405);
    for (const reply of [page, preflight, allowed]) {
      expect(Object.keys(reply.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('refuses to start an admin listener off loopback without a token, naming the fix', async () => {
    const backend = await startBackend();
    for (const listen of ['0.0.0.0:0', '[::]:0']) {
      const config = resolveConfig({ listeners: [{ port: 0, host: '127.0.0.1' }], ...simpleConfig([backend.address]), admin: { listen } }, 'test', {});
      await expect(PorticoProxy.start(config, { logger: createLogger('silent') })).rejects.toThrow(
        /admin listener .* is not on loopback but no token is configured: set admin.token, admin.tokenFile or env PORTICO_ADMIN_TOKEN/,
      );
    }
  });

  it('refuses to start with requireToken and no token', async () => {
    const backend = await startBackend();
    const config = resolveConfig({ listeners: [{ port: 0, host: '127.0.0.1' }], ...simpleConfig([backend.address]), admin: { requireToken: true } }, 'test', {});
    await expect(PorticoProxy.start(config, { logger: createLogger('silent') })).rejects.toThrow(/admin.requireToken is set but no token is configured/);
  });

  it('refuses a reload that would open the admin listener off loopback without a token; the running one stays', async () => {
    const running = await guarded();
    const before = running.proxy.adminAddress();
    await expect(reload(running, { ...running.config, admin: { listen: '0.0.0.0:0' } })).rejects.toThrow(/not on loopback/);
    await expect(reload(running, { ...running.config, admin: { listen: '127.0.0.1:0' } })).resolves.toBeUndefined();
    expect(running.proxy.adminAddress()).toEqual(before); // port 0 again: the bound listener serves it
    // The reload dropped the token requirement on loopback: open now.
    expect((await call(running.admin, '/api/status')).status).toBe(200);
  });

  it('tells loopback addresses from others (0.0.0.0 and :: bind every interface)', () => {
    expect(['127.0.0.1', '127.3.4.5', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST'].map(isLoopback)).toEqual(Array(7).fill(true));
    expect(['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', '::2', 'admin.internal', ''].map(isLoopback)).toEqual(Array(7).fill(false));
  });
});

describe('admin listener: browsers', () => {
  it('refuses a Host that is not a loopback name (DNS rebinding) with 421, token or not', async () => {
    const { admin } = await guarded();
    const port = new URL(admin).port;
    for (const host of ['evil.example', `evil.example:${port}`, '127.0.0.1.evil.example', '[::2]']) {
      const reply = await call(admin, '/api/status', { token: TOKEN, headers: { host } });
      expect([host, reply.status]).toEqual([host, 421]);
    }
    expect((await call(admin, '/', { headers: { host: 'evil.example' } })).status).toBe(421);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost', `[::1]:${port}`]) {
      expect([host, (await call(admin, '/api/status', { token: TOKEN, headers: { host } })).status]).toEqual([host, 200]);
    }
  });

  it('cuts a client that does not finish its request head in time, and survives garbage', async () => {
    const backend = await startBackend();
    const { admin } = await startWithAdmin({ ...simpleConfig([backend.address]), timeouts: { clientHeader: 100 } });
    const port = Number(new URL(admin).port);
    const slow = net.connect(port, '127.0.0.1');
    slow.write('GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const started = Date.now();
    await new Promise((resolve) => slow.on('close', resolve).on('error', resolve).resume());
    expect(Date.now() - started).toBeLessThan(1_500);
    const garbage = net.connect(port, '127.0.0.1');
    garbage.end('\x00\x01 not http at all\r\n\r\n');
    await new Promise((resolve) => garbage.on('close', resolve).on('error', resolve).resume());
    expect((await call(admin, '/api/status')).status).toBe(200);
  });
});
