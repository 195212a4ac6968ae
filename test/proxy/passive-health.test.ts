// Passive health (NGINX max_fails / fail_timeout) through the proxy: what counts as a failure,
// when a server leaves and rejoins service, and what the operator's log says about it.
import { Writable } from 'node:stream';
import pino from 'pino';
import { resolveConfig } from '../../proxy/src/config/load';
import type { ProxyConfig } from '../../proxy/src/config/schema';
import { PorticoProxy } from '../../proxy/src/proxy';
import { refusedAddress, registerCleanup, request, simpleConfig, startBackend } from '../helpers/servers';

/** The proxy in-process with a logger whose JSON lines the test reads. */
async function startLoggedProxy(config: Omit<ProxyConfig, 'listeners'>) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const resolved = resolveConfig({ listeners: [{ port: 0, host: '127.0.0.1' }], ...config }, 'test');
  const proxy = await PorticoProxy.start(resolved, { logger: pino({ level: 'info' }, sink), shutdownGraceMs: 100 });
  registerCleanup(() => proxy.close(100));
  return { proxy, url: `http://127.0.0.1:${proxy.addresses()[0].port}`, lines };
}

describe('passive health', () => {
  it('takes a server out after maxFails 5xx answers counted by http_5xx, though each answer also ends', async () => {
    // Before the fix, each counted 500 was erased by the same response's success accounting, so
    // maxFails > 1 never took a server out.
    const sick = await startBackend((_q, res) => {
      res.statusCode = 500;
      res.end('sick');
    });
    const good = await startBackend((_q, res) => res.end('good'));
    const { url } = await startLoggedProxy(
      simpleConfig([sick.address, good.address], { maxFails: 2, failTimeout: '10s', retry: { on: ['error', 'timeout', 'http_500'], tries: 1 } }),
    );
    const bodies: string[] = [];
    for (let i = 0; i < 8; i++) bodies.push((await request(url)).body.toString());
    // Round robin alternates; the sick server answers twice (two counted failures), then is out.
    expect(sick.requests).toHaveLength(2);
    expect(bodies.slice(4)).toEqual(['good', 'good', 'good', 'good']);
  });

  it('logs one line when a server becomes unavailable, however many requests fail on it', async () => {
    // Before: one killed server under load logged "marked unavailable" once per failed request.
    const dead = await refusedAddress();
    const good = await startBackend((_q, res) => res.end('good'));
    const { url, lines } = await startLoggedProxy(simpleConfig([dead, good.address], { failTimeout: '10s' }));
    const replies = await Promise.all(Array.from({ length: 20 }, () => request(url)));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const transitions = lines.filter((l) => l.server === dead);
    expect(transitions).toHaveLength(1);
    expect(transitions[0]).toMatchObject({ from: 'up', to: 'unavailable', cause: 'passive', upstream: 'app' });
  });

  it('never counts a client that went away against the server', async () => {
    let answer: (() => void) | null = null;
    const slow = await startBackend((_q, res) => (answer = () => res.end('late')));
    const other = await startBackend((_q, res) => res.end('other'));
    const { url, lines } = await startLoggedProxy(simpleConfig([slow.address, other.address], { failTimeout: '10s' }));
    const { default: http } = await import('node:http');
    await new Promise<void>((resolve) => {
      const req = http.get(url, { agent: false });
      req.on('error', () => resolve());
      slow.server.once('request', () => {
        req.destroy();
        setImmediate(resolve);
      });
    });
    (answer as (() => void) | null)?.();
    expect(lines.filter((l) => l.to === 'unavailable')).toHaveLength(0);
  });
});

describe('passive health across reloads', () => {
  it('applies to an upstream that grew from one server to two', async () => {
    // Before: the "single server: never unavailable" flag was fixed when the server was created,
    // so after the reload neither server was ever taken out.
    let broken = false;
    const first = await startBackend((req, res) => (broken ? req.socket.destroy() : res.end('first')), { readBody: false });
    const { proxy, url } = await startLoggedProxy(simpleConfig([first.address]));
    expect((await request(url)).status).toBe(200);
    const added = await startBackend((_q, res) => res.end('added'));
    await proxy.reload(resolveConfig({ listeners: [{ port: proxy.addresses()[0].port, host: '127.0.0.1' }], ...simpleConfig([first.address, added.address], { failTimeout: '10s' }) }));
    broken = true;
    for (let i = 0; i < 6; i++) expect((await request(url)).status).toBe(200);
    // One request before the reload, one failure after it, then it is out of service.
    expect(first.requests).toHaveLength(2);
  });

  it('keeps a server unavailable across a reload that does not change it', async () => {
    const good = await startBackend((_q, res) => res.end('good'));
    const resetting = await startBackend((req) => req.socket.destroy(), { readBody: false });
    const config = simpleConfig([good.address, resetting.address], { failTimeout: '10s' });
    const { proxy, url } = await startLoggedProxy(config);
    for (let i = 0; i < 3; i++) await request(url);
    await proxy.reload(resolveConfig({ listeners: [{ port: proxy.addresses()[0].port, host: '127.0.0.1' }], ...config }));
    for (let i = 0; i < 4; i++) expect((await request(url)).status).toBe(200);
    expect(resetting.requests).toHaveLength(1);
  });
});
