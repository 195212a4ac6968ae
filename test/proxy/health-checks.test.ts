// Active health checks (NGINX Plus `health_check`, `match`, `mandatory`, `persistent`) through the
// proxy, against real upstreams on 127.0.0.1 with millisecond intervals.
import { Writable } from 'node:stream';
import pino from 'pino';
import { resolveConfig } from '../../proxy/src/config/load';
import type { ProxyConfig } from '../../proxy/src/config/schema';
import { PorticoProxy } from '../../proxy/src/proxy';
import type { StateChange } from '../../proxy/src/upstream/server-state';
import { recordOf, startCheckedApp, waitForState, type CheckedApp } from '../helpers/health';
import { rawUpstream } from '../helpers/raw-upstream';
import { refusedAddress, registerCleanup, request, simpleConfig, sleep, startProxy } from '../helpers/servers';

type HealthCheckConfig = NonNullable<ProxyConfig['upstreams'][string]['healthCheck']>;

/** Room for scheduling on a busy 2-core machine, on top of interval × fails. */
const MARGIN = 300;

function checkedConfig(apps: CheckedApp[], check: HealthCheckConfig, upstream: Partial<ProxyConfig['upstreams'][string]> = {}) {
  return simpleConfig(
    apps.map((a) => a.address),
    { healthCheck: { uri: '/health', ...check }, failTimeout: '10s', ...upstream },
  );
}

async function reload(proxy: PorticoProxy, config: Omit<ProxyConfig, 'listeners'>) {
  await proxy.reload(resolveConfig({ listeners: [{ port: proxy.addresses()[0].port, host: '127.0.0.1' }], log: { level: 'silent' }, ...config }, 'test'));
}

async function bodies(url: string, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await request(url)).body.toString());
  return out;
}

describe('active health checks: what fails a check', () => {
  it('takes a server out within interval × fails on a bad status, sends traffic elsewhere, and restores it after passes', async () => {
    const sick = await startCheckedApp('sick');
    const well = await startCheckedApp('well');
    const { proxy, url } = await startProxy(checkedConfig([sick, well], { interval: '20ms', fails: 2, passes: 2 }));
    await sleep(30); // both pass their first checks
    sick.health.status = 503;
    const took = await waitForState(proxy, sick.address, 'unhealthy', 20 * 2 + MARGIN);
    expect(took).toBeLessThan(20 * 2 + MARGIN);
    expect(recordOf(proxy, sick.address).lastCheck).toMatchObject({ ok: false, status: 503, reason: 'status 503' });
    const before = sick.served();
    expect(await bodies(url, 6)).toEqual(Array(6).fill('well'));
    expect(sick.served()).toBe(before);

    sick.health.status = 200;
    await waitForState(proxy, sick.address, 'up', 20 * 2 + MARGIN);
    expect(recordOf(proxy, sick.address).lastCheck).toMatchObject({ ok: true, status: 200, reason: '' });
    expect(new Set(await bodies(url, 4))).toEqual(new Set(['sick', 'well']));
  });

  it('fails a check whose body does not match', async () => {
    const app = await startCheckedApp('a', { body: 'ready' });
    const other = await startCheckedApp('b', { body: 'ready' });
    const { proxy } = await startProxy(checkedConfig([app, other], { interval: '20ms', expect: { body: '^ready$' } }));
    await sleep(30);
    expect(recordOf(proxy, app.address).state).toBe('up');
    app.health.body = 'starting';
    await waitForState(proxy, app.address, 'unhealthy', 20 + MARGIN);
    expect(recordOf(proxy, app.address).lastCheck).toMatchObject({ ok: false, status: 200, reason: 'body does not match' });
    expect(recordOf(proxy, other.address).state).toBe('up');
  });

  it('fails a check whose header is missing or does not match, and passes when it does', async () => {
    const app = await startCheckedApp('a', { headers: { 'x-ready': 'no' } });
    const other = await startCheckedApp('b', { headers: { 'x-ready': 'yes' } });
    const { proxy } = await startProxy(checkedConfig([app, other], { interval: '20ms', expect: { headers: { 'X-Ready': '^yes$' } } }));
    await waitForState(proxy, app.address, 'unhealthy', 20 + MARGIN);
    expect(recordOf(proxy, app.address).lastCheck?.reason).toBe('header x-ready does not match');
    app.health.headers = {};
    await sleep(60);
    expect(recordOf(proxy, app.address).lastCheck?.reason).toBe('header x-ready missing');
    app.health.headers = { 'x-ready': 'yes' };
    await waitForState(proxy, app.address, 'up', 20 + MARGIN);
    expect(recordOf(proxy, other.address).state).toBe('up');
  });

  it('fails a check the server never answers, after the check timeout', async () => {
    const app = await startCheckedApp('a');
    const other = await startCheckedApp('b');
    const { proxy, url } = await startProxy(checkedConfig([app, other], { interval: '20ms', timeout: '50ms' }));
    await sleep(30);
    app.health.hang = true;
    await waitForState(proxy, app.address, 'unhealthy', 20 + 50 + MARGIN);
    expect(recordOf(proxy, app.address).lastCheck).toMatchObject({ ok: false, status: null, reason: 'timeout after 50ms' });
    expect(recordOf(proxy, app.address).lastCheck!.durationMs).toBeGreaterThanOrEqual(45);
    expect(await bodies(url, 4)).toEqual(Array(4).fill('b'));
  });

  it('fails a check on a refused port (the check port, not the traffic port)', async () => {
    const app = await startCheckedApp('a');
    const refused = Number((await refusedAddress()).split(':')[1]);
    const { proxy, url } = await startProxy(checkedConfig([app], { interval: '20ms', port: refused }));
    await waitForState(proxy, app.address, 'unhealthy', 20 + MARGIN);
    expect(recordOf(proxy, app.address).lastCheck).toMatchObject({ ok: false, status: null, reason: 'connection refused' });
    expect(app.checks).toHaveLength(0);
    // The only server is out: nothing to send traffic to.
    expect((await request(url)).status).toBe(503);
    expect(app.served()).toBe(0);
  });

  it('sends the configured method, uri and headers, with Host the server address and a User-Agent', async () => {
    const app = await startCheckedApp('a');
    await startProxy(checkedConfig([app], { interval: '1s', headers: { 'X-Probe': 'yes' } }));
    await sleep(50);
    expect(app.checks).toHaveLength(1);
    expect(app.checks[0]).toMatchObject({ host: app.address, 'user-agent': 'portico-health-check', 'x-probe': 'yes' });
    expect(app.requests[0]).toMatchObject({ method: 'GET', url: '/health' });
  });
});

describe('active health checks: hostile answers', () => {
  it('fails an endless body against a body regex after 256 KiB, closing the connection, with bounded memory', async () => {
    let written = 0;
    let closed = 0;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const endless = await rawUpstream((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\n');
      const pump = () => {
        // Written only as fast as the checker reads: a check that kept reading would take it all.
        while (!socket.destroyed && written < 256 * 1024 * 1024 && socket.write(chunk)) written += chunk.length;
      };
      socket.on('drain', pump);
      socket.on('close', () => closed++);
      pump();
    });
    const other = await startCheckedApp('b', { body: 'ready' });
    const { proxy } = await startProxy(
      simpleConfig([endless.address, other.address], { healthCheck: { interval: '1s', timeout: '2s', expect: { body: 'ready' } } }),
    );
    await waitForState(proxy, endless.address, 'unhealthy', 1_500);
    expect(recordOf(proxy, endless.address).lastCheck).toMatchObject({ ok: false, status: 200, reason: 'body does not match' });
    await sleep(50);
    expect(closed).toBe(1);
    // Read 256 KiB and stopped: what was written is that plus what socket buffers hold, not 256 MiB.
    expect(written).toBeLessThan(32 * 1024 * 1024);
  });

  it('passes on the head when no body is expected, without reading an endless body', async () => {
    let closed = 0;
    const endless = await rawUpstream((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n');
      const timer = setInterval(() => socket.write('4\r\nxxxx\r\n'), 5);
      socket.on('close', () => {
        clearInterval(timer);
        closed++;
      });
    });
    const { proxy } = await startProxy(simpleConfig([endless.address], { healthCheck: { interval: '1s', timeout: '1s', mandatory: true } }));
    await waitForState(proxy, endless.address, 'up', 500);
    await sleep(30);
    expect(closed).toBe(1);
  });

  it.each([
    ['garbage instead of HTTP', 'hello there\r\n\r\n', /^bad HTTP response \(HPE_/],
    ['an endless header', `HTTP/1.1 200 OK\r\nx-long: ${'a'.repeat(100_000)}`, /^bad HTTP response \(HPE_HEADER_OVERFLOW\)$/],
    ['a close before any answer', null, /^connection reset$/],
  ])('fails cleanly on %s', async (_name, answer, reason) => {
    const hostile = await rawUpstream((socket) => {
      if (answer === null) socket.destroy();
      else socket.write(answer);
    });
    const { proxy } = await startProxy(simpleConfig([hostile.address], { healthCheck: { interval: '1s', timeout: '1s' } }));
    await waitForState(proxy, hostile.address, 'unhealthy', 900);
    expect(recordOf(proxy, hostile.address).lastCheck?.reason).toMatch(reason);
  });
});

describe('active health checks: mandatory and persistent', () => {
  it('gives mandatory servers no traffic before their first pass (503 while none passed)', async () => {
    const slow = await startCheckedApp('slow', { hang: true });
    const failing = await startCheckedApp('failing', { status: 500 });
    const { proxy, url } = await startProxy(checkedConfig([slow, failing], { interval: '1s', timeout: '2s', mandatory: true }));
    expect(recordOf(proxy, slow.address).state).toBe('checking');
    expect(recordOf(proxy, failing.address).state).toBe('checking');
    expect((await request(url)).status).toBe(503);
    await waitForState(proxy, failing.address, 'unhealthy', 500);
    expect((await request(url)).status).toBe(503);
    expect(slow.served() + failing.served()).toBe(0);
  });

  it('brings a mandatory server into traffic after passes passes, the others staying out', async () => {
    const good = await startCheckedApp('good');
    const bad = await startCheckedApp('bad', { status: 500 });
    const { proxy, url } = await startProxy(checkedConfig([good, bad], { interval: '20ms', passes: 2, fails: 3, mandatory: true }));
    await waitForState(proxy, good.address, 'up', 20 * 2 + MARGIN);
    expect(good.checks.length).toBeGreaterThanOrEqual(2);
    expect(await bodies(url, 4)).toEqual(Array(4).fill('good'));
    await waitForState(proxy, bad.address, 'unhealthy', 20 * 3 + MARGIN);
    expect(bad.served()).toBe(0);
  });

  it('keeps a persistent server up across a reload; a non-persistent one waits for a check again', async () => {
    for (const persistent of [true, false]) {
      const app = await startCheckedApp('a');
      const config = checkedConfig([app], { interval: '1s', timeout: '2s', mandatory: true, persistent });
      const { proxy, url } = await startProxy(config);
      await waitForState(proxy, app.address, 'up', 500);
      app.health.hang = true; // a check never answers now: the state is what the reload left
      const checks = app.checks.length;
      await reload(proxy, config);
      expect(recordOf(proxy, app.address).state).toBe(persistent ? 'up' : 'checking');
      expect((await request(url)).status).toBe(persistent ? 200 : 503);
      await sleep(100);
      // Back to checking, the server is checked at once (as NGINX's new workers do), not after 1 s.
      expect(app.checks.length).toBe(persistent ? checks : checks + 1);
      await proxy.close(0);
    }
  });

  it('checks a server added by a reload before it gets traffic, and stops checking a removed one', async () => {
    const first = await startCheckedApp('first');
    const added = await startCheckedApp('added', { hang: true });
    const check = { interval: '20ms', timeout: '200ms', mandatory: true, persistent: true };
    const { proxy, url } = await startProxy(checkedConfig([first], check));
    await waitForState(proxy, first.address, 'up', 20 + MARGIN);
    await reload(proxy, checkedConfig([first, added], check));
    expect(recordOf(proxy, added.address).state).toBe('checking');
    expect(await bodies(url, 4)).toEqual(Array(4).fill('first'));
    added.health.hang = false;
    await waitForState(proxy, added.address, 'up', 200 + 20 + MARGIN);

    await reload(proxy, checkedConfig([added], check));
    const checksOfRemoved = first.checks.length;
    await sleep(100); // 5 intervals: a checker still running would check 4 or 5 more times
    // A check written just before the reload may reach the app after it (stop() destroys its
    // socket, but the bytes are already on the wire): at most that one arrives late.
    expect(first.checks.length - checksOfRemoved).toBeLessThanOrEqual(1);
  });

  it('keeps the check schedule of a server through reloads of the same check (no burst of checks)', async () => {
    const app = await startCheckedApp('a');
    const config = checkedConfig([app], { interval: '5s' });
    const { proxy } = await startProxy(config);
    await sleep(50);
    expect(app.checks).toHaveLength(1);
    for (let i = 0; i < 10; i++) await reload(proxy, config);
    await sleep(50);
    expect(app.checks).toHaveLength(1);
    // A changed check is a new checker: it checks at once.
    await reload(proxy, checkedConfig([app], { interval: '5s', headers: { 'x-new': '1' } }));
    await sleep(50);
    expect(app.checks).toHaveLength(2);
    expect(app.checks[1]['x-new']).toBe('1');
  });

  it('puts a server waiting for a first pass back in service when the reload drops the check', async () => {
    const app = await startCheckedApp('a', { hang: true });
    const { proxy, url } = await startProxy(checkedConfig([app], { interval: '1s', timeout: '2s', mandatory: true }));
    expect(recordOf(proxy, app.address).state).toBe('checking');
    await reload(proxy, simpleConfig([app.address]));
    expect(recordOf(proxy, app.address).state).toBe('up');
    expect((await request(url)).body.toString()).toBe('a');
  });
});

describe('active and passive health together', () => {
  it('ends a passive "unavailable" early when the server passes a check', async () => {
    let resets = 1;
    const flaky = await startCheckedApp('flaky');
    flaky.server.prependListener('request', (req) => {
      if (req.url !== '/health' && resets-- > 0) req.socket.destroy();
    });
    const other = await startCheckedApp('other');
    const { proxy, url } = await startProxy(checkedConfig([flaky, other], { interval: '50ms' }, { failTimeout: '10s' }));
    const changes: StateChange[] = [];
    proxy.runtime.registry.book.observe((c) => changes.push(c));
    await sleep(20);
    while (recordOf(proxy, flaky.address).state === 'up' && resets > 0) await request(url);
    expect(recordOf(proxy, flaky.address).state).toBe('unavailable');
    const took = await waitForState(proxy, flaky.address, 'up', 50 + MARGIN);
    expect(took).toBeLessThan(1_000); // not failTimeout's 10 s
    expect(changes.map((c) => `${c.from}->${c.to}:${c.cause}`)).toEqual(['up->unavailable:passive', 'unavailable->up:active']);
  });

  it('marks an unavailable server unhealthy when its checks fail', async () => {
    const app = await startCheckedApp('a');
    const other = await startCheckedApp('b');
    const { proxy } = await startProxy(checkedConfig([app, other], { interval: '20ms', fails: 2 }));
    await sleep(30);
    const record = recordOf(proxy, app.address);
    record.unavailableUntil = Date.now() + 10_000;
    record.transition('unavailable', 'passive', 'test');
    app.health.status = 500;
    await waitForState(proxy, app.address, 'unhealthy', 20 * 2 + MARGIN);
  });

  it('never changes a down server, but still checks it and records the result', async () => {
    const app = await startCheckedApp('a', { status: 500 });
    const other = await startCheckedApp('b');
    const { proxy } = await startProxy(
      simpleConfig([{ address: app.address, down: true }, other.address], { healthCheck: { uri: '/health', interval: '20ms', mandatory: true } }),
    );
    await sleep(80);
    expect(app.checks.length).toBeGreaterThanOrEqual(2);
    expect(recordOf(proxy, app.address).state).toBe('down');
    expect(recordOf(proxy, app.address).lastCheck).toMatchObject({ ok: false, reason: 'status 500' });
  });
});

describe('active health checks: reporting and lifecycle', () => {
  it('reports each state change once to book observers, not once per check', async () => {
    const app = await startCheckedApp('a');
    const other = await startCheckedApp('b');
    const { proxy } = await startProxy(checkedConfig([app, other], { interval: '10ms' }));
    const changes: StateChange[] = [];
    proxy.runtime.registry.book.observe((c) => changes.push(c));
    app.health.status = 500;
    await waitForState(proxy, app.address, 'unhealthy', 10 + MARGIN);
    const failing = app.checks.length;
    await sleep(100);
    expect(app.checks.length).toBeGreaterThan(failing + 3); // many more failed checks...
    app.health.status = 200;
    await waitForState(proxy, app.address, 'up', 10 + MARGIN);
    await sleep(50);
    // ...and one change each way.
    expect(changes.map((c) => `${c.server === app.address ? 'a' : 'b'}:${c.from}->${c.to}:${c.cause}`)).toEqual([
      'a:up->unhealthy:active',
      'a:unhealthy->up:active',
    ]);
    expect(changes[0].reason).toBe('health check failed: status 500');
  });

  it('logs one line per state change at info, none for failed checks that change nothing', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const app = await startCheckedApp('a', { status: 500 });
    const other = await startCheckedApp('b');
    const config = checkedConfig([app, other], { interval: '10ms', fails: 3 });
    const proxy = await PorticoProxy.start(resolveConfig({ listeners: [{ port: 0, host: '127.0.0.1' }], ...config }, 'test'), {
      logger: pino({ level: 'info' }, sink),
      shutdownGraceMs: 100,
    });
    registerCleanup(() => proxy.close(100));
    await waitForState(proxy, app.address, 'unhealthy', 30 + MARGIN);
    await sleep(60);
    expect(app.checks.length).toBeGreaterThan(6);
    expect(lines.filter((l) => l.server === app.address)).toEqual([
      expect.objectContaining({ msg: 'upstream server unhealthy', from: 'up', to: 'unhealthy', cause: 'active', reason: 'health check failed: status 500' }),
    ]);
  });

  it('stops every check on close: none reaches the upstream afterwards', async () => {
    const app = await startCheckedApp('a');
    const { proxy } = await startProxy(checkedConfig([app], { interval: '5ms' }));
    while (app.checks.length < 2) await sleep(5); // checks are running (jest's timeout bounds the wait)
    await proxy.close(0);
    await sleep(10); // a check whose request was already on the wire may still be read
    const atClose = app.checks.length;
    await sleep(60);
    expect(app.checks.length).toBe(atClose);
  });

  it('survives an observer that throws: checks go on', async () => {
    const app = await startCheckedApp('a');
    const other = await startCheckedApp('b');
    const { proxy } = await startProxy(checkedConfig([app, other], { interval: '10ms' }));
    const unhealthy = waitForState(proxy, app.address, 'unhealthy', 10 + MARGIN); // observes before the bad one
    proxy.runtime.registry.book.observe(() => {
      throw new Error('observer bug');
    });
    app.health.status = 500;
    await unhealthy;
    const seen = app.checks.length;
    await sleep(60);
    expect(app.checks.length).toBeGreaterThan(seen);
  });
});
