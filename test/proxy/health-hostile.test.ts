// Active health checks against upstreams that answer in ways a check must survive: informational
// and upgrade heads, redirects, a head sent one byte at a time. Each ends in one clean verdict.
import { recordOf, startCheckedApp, waitForState } from '../helpers/health';
import { rawUpstream } from '../helpers/raw-upstream';
import { request, simpleConfig, sleep, startProxy } from '../helpers/servers';
import { call, startWithAdmin, until } from './admin-support';

describe('active health checks: odd answers', () => {
  it.each([
    ['a 101 with no upgrade asked', 'HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n', 'unhealthy', /^(status 101|timeout after 300ms|connection reset)$/],
    ['a 103 then a 200', 'HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok', 'up', /^$/],
    ['a 100 then a 200', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n', 'up', /^$/],
    // NGINX Plus: 2xx and 3xx pass by default; a redirect is not followed.
    ['a redirect', 'HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:1/\r\ncontent-length: 0\r\n\r\n', 'up', /^$/],
    ['chunked garbage', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nnope\r\n', 'unhealthy', /^(bad HTTP response \(HPE_|connection reset)/],
  ])('judges %s', async (_name, answer, state, reason) => {
    const hostile = await rawUpstream((socket) => socket.write(answer));
    const { proxy } = await startProxy(
      simpleConfig([hostile.address], { healthCheck: { interval: '1s', timeout: '300ms', mandatory: true, ...(answer.includes('chunked') ? { expect: { body: 'x' } } : {}) } }),
    );
    await waitForState(proxy, hostile.address, state as 'up' | 'unhealthy', 900);
    expect(recordOf(proxy, hostile.address).lastCheck?.reason).toMatch(reason);
  });

  it('fails a head sent one byte at a time within the check timeout, not after it', async () => {
    const answer = 'HTTP/1.1 200 OK\r\n' + 'x-slow: ' + 'a'.repeat(200) + '\r\n\r\n';
    const hostile = await rawUpstream((socket) => {
      let i = 0;
      const timer = setInterval(() => (i < answer.length && !socket.destroyed ? socket.write(answer[i++]) : clearInterval(timer)), 5);
      socket.on('close', () => clearInterval(timer));
    });
    const { proxy } = await startProxy(simpleConfig([hostile.address], { healthCheck: { interval: '1s', timeout: '100ms', mandatory: true } }));
    const started = Date.now();
    await waitForState(proxy, hostile.address, 'unhealthy', 900);
    expect(Date.now() - started).toBeLessThan(600);
    expect(recordOf(proxy, hostile.address).lastCheck).toMatchObject({ ok: false, reason: 'timeout after 100ms' });
  });
});

describe('active health checks and the admin API', () => {
  it('gives a server added through the admin API no traffic before its first pass on a mandatory check, then checks it', async () => {
    const well = await startCheckedApp('well');
    const sick = await startCheckedApp('sick', { status: 503 });
    const p = await startWithAdmin(simpleConfig([well.address], { healthCheck: { uri: '/health', interval: '20ms', mandatory: true } }));
    await waitForState(p.proxy, well.address, 'up', 500);
    const added = await call(p.admin, '/api/upstreams/app/servers', { method: 'POST', json: { address: sick.address } });
    expect([added.status, added.json.state]).toEqual([201, 'checking']);
    await waitForState(p.proxy, sick.address, 'unhealthy', 500);
    for (let i = 0; i < 6; i++) expect((await request(p.url)).body.toString()).toBe('well');
    expect(sick.served()).toBe(0);
    sick.health.status = 200;
    await waitForState(p.proxy, sick.address, 'up', 500);
    const removed = await call(p.admin, `/api/upstreams/app/servers/${encodeURIComponent(sick.address)}`, { method: 'DELETE' });
    expect(removed.status).toBe(200);
    const checks = sick.checks.length;
    await sleep(60);
    expect(sick.checks.length).toBeLessThanOrEqual(checks + 1); // one may have been in flight
  });

  it('ramps an admin weight change during slow start towards the new weight', async () => {
    const a = await startCheckedApp('a');
    const b = await startCheckedApp('b');
    const p = await startWithAdmin(
      simpleConfig([{ address: a.address, id: 'a' }, { address: b.address, id: 'b' }], { healthCheck: { uri: '/health', interval: '20ms' }, slowStart: '2s' }),
    );
    await sleep(30);
    a.health.status = 503;
    await waitForState(p.proxy, a.address, 'unhealthy', 500);
    a.health.status = 200;
    await waitForState(p.proxy, a.address, 'up', 500);
    const patched = await call(p.admin, '/api/upstreams/app/servers/a', { method: 'PATCH', json: { weight: 10 } });
    expect(patched.json.weight).toBe(10);
    expect(patched.json.effectiveWeight).toBeGreaterThan(0);
    expect(patched.json.effectiveWeight).toBeLessThan(10); // still ramping, now towards 10
    const later = await until(
      () => call(p.admin, '/api/upstreams/app/servers/a'),
      (r) => r.json.effectiveWeight > patched.json.effectiveWeight,
      1_000,
    );
    expect(later.json.effectiveWeight).toBeLessThanOrEqual(10);
    expect(later.json.effectiveWeight).toBeGreaterThan(patched.json.effectiveWeight);
  });
});
