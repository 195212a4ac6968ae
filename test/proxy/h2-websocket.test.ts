import type { ClientHttp2Session, ClientHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { registerCleanup, simpleConfig, startBackend } from '../helpers/servers';
import { certDir, filesOf, makeCertificate } from '../helpers/tls-certs';
import { nextFrame, textFrame } from '../helpers/h2-websocket';
import { h2connect, startTlsProxy } from '../helpers/tls-clients';

async function echoServer(): Promise<{ address: string; upgrades: Record<string, string | string[] | undefined>[] }> {
  const upgrades: Record<string, string | string[] | undefined>[] = [];
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (ws, req) => {
    upgrades.push({ ...req.headers, method: req.method });
    ws.on('message', (data, binary) => ws.send(binary ? data : `echo ${data}`));
  });
  registerCleanup(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(r));
  });
  return { address: `127.0.0.1:${(wss.address() as AddressInfo).port}`, upgrades };
}

async function settled(session: ClientHttp2Session): Promise<void> {
  if (!session.remoteSettings.enableConnectProtocol) await new Promise((r) => session.once('remoteSettings', r));
}

/** RFC 8441 extended CONNECT; resolves with the stream and the response head. */
async function openWebSocket(session: ClientHttp2Session, path = '/chat'): Promise<{ stream: ClientHttp2Stream; status: number; headers: Record<string, unknown> }> {
  await settled(session);
  const stream = session.request({ ':method': 'CONNECT', ':protocol': 'websocket', ':path': path, ':scheme': 'https', ':authority': 'localhost', 'sec-websocket-version': '13' }, { endStream: false });
  stream.on('error', () => undefined);
  const headers = await new Promise<Record<string, unknown>>((resolve) => stream.once('response', resolve));
  return { stream, status: Number(headers[':status']), headers };
}

async function tlsProxy(servers: string[], sticky = false) {
  const dir = certDir();
  const cert = makeCertificate(dir, 'c', ['localhost']);
  const config = simpleConfig(servers, sticky ? { sticky: { cookie: {} } } : {});
  return startTlsProxy(config, { certificates: [filesOf(cert)] });
}

describe('WebSocket over HTTP/2 (RFC 8441)', () => {
  it('bridges an extended CONNECT to an HTTP/1.1 WebSocket upstream and echoes both ways', async () => {
    const ws = await echoServer();
    const { port } = await tlsProxy([ws.address]);
    const session = await h2connect(port);
    const { stream, status, headers } = await openWebSocket(session);
    expect(status).toBe(200);
    expect(headers['sec-websocket-accept']).toBeUndefined();
    stream.write(textFrame('hello'));
    expect(await nextFrame(stream)).toEqual({ opcode: 1, payload: Buffer.from('echo hello') });
    stream.write(textFrame('again'));
    expect((await nextFrame(stream)).payload.toString()).toBe('echo again');
    // The upstream saw an HTTP/1.1 handshake of the proxy's making.
    expect(ws.upgrades[0]).toMatchObject({ method: 'GET', upgrade: 'websocket', 'sec-websocket-version': '13', host: 'localhost', 'x-forwarded-proto': 'https' });
    expect(ws.upgrades[0]['sec-websocket-key']).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });

  it('runs several WebSockets and plain requests side by side on one session', async () => {
    const ws = await echoServer();
    const { port } = await tlsProxy([ws.address]);
    const session = await h2connect(port);
    const sockets = await Promise.all([1, 2, 3].map(() => openWebSocket(session)));
    sockets.forEach(({ stream }, i) => stream.write(textFrame(`n${i}`)));
    const echoes = await Promise.all(sockets.map(({ stream }) => nextFrame(stream)));
    expect(echoes.map((e) => e.payload.toString())).toEqual(['echo n0', 'echo n1', 'echo n2']);
  });

  it("answers with the upstream's status when it refuses the upgrade", async () => {
    const backend = await startBackend((_q, res) => {
      res.statusCode = 403;
      res.end('no sockets here');
    });
    const { port } = await tlsProxy([backend.address]);
    const session = await h2connect(port);
    const { stream, status } = await openWebSocket(session);
    expect(status).toBe(403);
    const body: Buffer[] = [];
    stream.on('data', (c: Buffer) => body.push(c));
    await new Promise((r) => stream.once('end', r));
    expect(Buffer.concat(body).toString()).toBe('no sockets here');
    expect(session.destroyed).toBe(false);
  });

  it('refuses a classic CONNECT (405) and an unknown :protocol (501)', async () => {
    const ws = await echoServer();
    const { port } = await tlsProxy([ws.address]);
    const session = await h2connect(port);
    await settled(session);
    const classic = session.request({ ':method': 'CONNECT', ':authority': 'example.com:443' });
    expect((await new Promise<Record<string, unknown>>((r) => classic.once('response', r)))[':status']).toBe(405);
    const other = session.request({ ':method': 'CONNECT', ':protocol': 'h3-tunnel', ':path': '/', ':scheme': 'https', ':authority': 'localhost' });
    expect((await new Promise<Record<string, unknown>>((r) => other.once('response', r)))[':status']).toBe(501);
  });

  it('tells a WebSocket over h2 Going Away (1001) when the proxy shuts down', async () => {
    const ws = await echoServer();
    const { proxy, port } = await tlsProxy([ws.address]);
    const session = await h2connect(port);
    const { stream } = await openWebSocket(session);
    stream.write(textFrame('hi'));
    await nextFrame(stream);
    const closing = proxy.close(20);
    const close = await nextFrame(stream);
    expect(close.opcode).toBe(8);
    expect(close.payload.readUInt16BE(0)).toBe(1001);
    await closing;
  });
});
