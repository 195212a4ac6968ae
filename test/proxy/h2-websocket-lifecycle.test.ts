// The life of a WebSocket over HTTP/2 (RFC 8441) beyond its messages: a config reload keeps it
// open, a drain closes it with 1001 (Going Away) at the upstream's drainTimeout, and
// timeouts.tunnelIdle closes it when no byte went either way for that long (HTTP/1.1 tunnels: see
// hostile-peers.test.ts). Real node:http2 client, real ws upstream.
import type { ClientHttp2Stream } from 'node:http2';
import { resolveConfig } from '../../proxy/src/config/load';
import type { ProxyConfig } from '../../proxy/src/config/schema';
import { nextFrame, openH2WebSocket, roundTrip, wsEchoUpstream } from '../helpers/h2-websocket';
import { sleep } from '../helpers/servers';
import { certDir, filesOf, makeCertificate } from '../helpers/tls-certs';
import { h2connect, startTlsProxy } from '../helpers/tls-clients';

function closedAt(stream: ClientHttp2Stream): Promise<number> {
  return new Promise((resolve) => (stream.closed ? resolve(Date.now()) : stream.once('close', () => resolve(Date.now()))));
}

async function tunnelThroughProxy(config: Partial<Omit<ProxyConfig, 'listeners'>> = {}, upstream: Partial<ProxyConfig['upstreams'][string]> = {}) {
  const ws = await wsEchoUpstream();
  const tls = { certificates: [filesOf(makeCertificate(certDir(), 'c', ['localhost']))] };
  const base = { upstreams: { app: { ...upstream, servers: [{ address: ws.address }] } }, routes: [{ proxy: { upstream: 'app' } }], ...config };
  const running = await startTlsProxy(base, tls);
  const session = await h2connect(running.port);
  const { stream, status } = await openH2WebSocket(session);
  expect(status).toBe(200);
  expect(await roundTrip(stream, 'first')).toBe('echo first');
  const record = running.proxy.runtime.registry.get('app').servers[0].record;
  return { ws, tls, base, running, session, stream, record };
}

describe('WebSocket over HTTP/2: reload, drain, idle', () => {
  it('keeps the WebSocket open across a config reload, and the session opens new ones after it', async () => {
    const { ws, tls, base, running, session, stream } = await tunnelThroughProxy();
    const changed = { ...base, upstreams: { app: { servers: [{ address: ws.address, weight: 3 }] } }, timeouts: { clientKeepAlive: '30s' } };
    await running.proxy.reload(resolveConfig({ listeners: [{ port: running.port, host: '127.0.0.1', tls }], log: { level: 'silent' }, ...changed }, 'test'));
    expect(await roundTrip(stream, 'after reload')).toBe('echo after reload');
    expect(stream.closed).toBe(false);
    const second = await openH2WebSocket(session);
    expect(await roundTrip(second.stream, 'new')).toBe('echo new');
    expect(ws.closes).toEqual([]);
  });

  it('closes it with 1001 both ways at the drain timeout, not before', async () => {
    const { ws, stream, record } = await tunnelThroughProxy({}, { drainTimeout: 300 });
    const started = Date.now();
    record.transition('draining', 'admin', 'test');
    await sleep(100);
    expect(await roundTrip(stream, 'still here')).toBe('echo still here');
    const close = await nextFrame(stream);
    expect(close.opcode).toBe(8);
    expect(close.payload.readUInt16BE(0)).toBe(1001);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const deadline = Date.now() + 2000;
    while (ws.closes.length === 0 && Date.now() < deadline) await sleep(10);
    expect(ws.closes).toEqual([1001]);
    expect(await record.whenDrained()).toBe(true);
  });

  it('closes it after timeouts.tunnelIdle without a byte either way, and traffic keeps it open', async () => {
    const { stream, record } = await tunnelThroughProxy({ timeouts: { tunnelIdle: 300 } });
    const opened = Date.now();
    const closed = closedAt(stream);
    // A message every 100 ms for 500 ms: never idle for 300 ms.
    for (let i = 0; i < 5; i++) {
      await sleep(100);
      expect(await roundTrip(stream, `beat ${i}`)).toBe(`echo beat ${i}`);
    }
    expect(stream.closed).toBe(false);
    const lastByte = Date.now();
    const at = await closed;
    expect(at - opened).toBeGreaterThan(500);
    expect(at - lastByte).toBeGreaterThanOrEqual(280);
    expect(at - lastByte).toBeLessThan(1500);
    while (record.tunnels.size > 0) await sleep(10);
  });

  it('defaults tunnelIdle to 120 s: above Socket.IO\'s 25 s ping interval + 20 s ping timeout', () => {
    const config = resolveConfig({ listeners: [{ port: 0 }], upstreams: { app: { servers: [{ address: '127.0.0.1:1' }] } }, routes: [{ proxy: { upstream: 'app' } }] }, 'test');
    expect(config.timeouts.tunnelIdle).toBe(120_000);
    expect(config.timeouts.tunnelIdle).toBeGreaterThan(45_000);
  });
});
