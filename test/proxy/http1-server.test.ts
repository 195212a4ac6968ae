// The server that reads clients' HTTP/1.1 (native by default, node:http in the unit-node-http
// project): what a client sees of pipelining, framing, HEAD, Expect, bodies and bad heads. The
// same expectations hold on both servers, except where marked native-only (node:http's behaviour
// differs, and the native server's is the one the proxy wants).
import { createHash } from 'node:crypto';
import net from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { http1ServerKind } from '../../proxy/src/server/h1/http1-server-kind';
import { rawConnection, rawRequest } from '../helpers/raw-http';
import { registerCleanup, request, simpleConfig, startBackend, startProxy } from '../helpers/servers';
import { certDir, filesOf, makeCertificate } from '../helpers/tls-certs';
import { startTlsProxy } from '../helpers/tls-clients';

/** Writes `bytes` on a TLS connection offering `alpn` (none: no ALPN) and returns all it got until the proxy closed. */
function tlsExchange(port: number, alpn: string[] | undefined, bytes: string): Promise<{ protocol: string | false | null; text: string }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...(alpn ? { ALPNProtocols: alpn } : {}) }, () => socket.write(bytes));
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve({ protocol: socket.alpnProtocol, text }));
    registerCleanup(async () => socket.destroy());
  });
}

jest.setTimeout(20_000);

const native = http1ServerKind() === 'native';
const nativeIt = native ? it : it.skip;

describe('the HTTP/1.1 server', () => {
  it('is the one PORTICO_HTTP1_SERVER names, native by default', () => {
    expect(http1ServerKind()).toBe(process.env.PORTICO_HTTP1_SERVER === 'node' ? 'node' : 'native');
  });

  it('answers pipelined requests in order, each body to its own request', async () => {
    const backend = await startBackend((req, res, body) => res.end(`${req.method} ${req.url} ${body.toString()}`));
    const { port } = await startProxy(simpleConfig([backend.address]));
    const conn = await rawConnection(port);
    conn.write(
      'GET /one HTTP/1.1\r\nHost: a.test\r\n\r\n' +
        'POST /two HTTP/1.1\r\nHost: a.test\r\nContent-Length: 5\r\n\r\nhello' +
        'POST /three HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    );
    const text = await conn.until((t) => t.includes('POST /three abc'));
    const bodies = [...text.matchAll(/\r\n\r\n((?:GET|POST) [^\r\n]*?)(?=HTTP\/1\.1|$)/g)].map((m) => m[1]);
    expect(bodies).toEqual(['GET /one ', 'POST /two hello', 'POST /three abc']);
    expect(backend.requests.map((r) => r.body.toString())).toEqual(['', 'hello', 'abc']);
  });

  it('frames a body of unknown length chunked for HTTP/1.1 and by closing for HTTP/1.0', async () => {
    const backend = await startBackend((_req, res) => {
      res.write('part one, ');
      res.end('part two');
    });
    const { port } = await startProxy(simpleConfig([backend.address]));
    const v11 = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: a.test\r\n\r\n');
    expect(v11.text).toMatch(/\r\ntransfer-encoding: chunked\r\n/i);
    expect(v11.text).toMatch(/\r\n\r\n[0-9a-f]+\r\npart one, [^]*0\r\n\r\n$/);
    expect(v11.closed).toBe(false);
    const v10 = await rawRequest(port, 'GET / HTTP/1.0\r\nHost: a.test\r\n\r\n', 5000, true);
    expect(v10.text).not.toMatch(/transfer-encoding/i);
    expect(v10.text).toMatch(/\r\nconnection: close\r\n/i);
    expect(v10.text.endsWith('\r\n\r\npart one, part two')).toBe(true);
    expect(v10.closed).toBe(true);
  });

  it('keeps an HTTP/1.0 connection that asks for keep-alive and has a length', async () => {
    const backend = await startBackend((_req, res) => res.end('ok'));
    const { port } = await startProxy(simpleConfig([backend.address]));
    const conn = await rawConnection(port);
    conn.write('GET /a HTTP/1.0\r\nHost: a.test\r\nConnection: keep-alive\r\n\r\n');
    const first = await conn.until((t) => t.endsWith('ok'));
    expect(first).toMatch(/\r\nconnection: keep-alive\r\n/i);
    conn.write('GET /b HTTP/1.0\r\nHost: a.test\r\n\r\n');
    await conn.closed;
    expect(backend.requests.map((r) => r.url)).toEqual(['/a', '/b']);
  });

  it('sends no body for HEAD, 204 and 304, and keeps the connection', async () => {
    const backend = await startBackend((req, res) => {
      if (req.url === '/204') res.writeHead(204).end();
      else if (req.url === '/304') res.writeHead(304, { etag: '"x"' }).end();
      else res.writeHead(200, { 'content-length': 5 }).end(req.method === 'HEAD' ? undefined : 'hello');
    });
    const { port } = await startProxy(simpleConfig([backend.address]));
    const conn = await rawConnection(port);
    conn.write('HEAD / HTTP/1.1\r\nHost: a.test\r\n\r\nGET /204 HTTP/1.1\r\nHost: a.test\r\n\r\nGET /304 HTTP/1.1\r\nHost: a.test\r\n\r\nGET / HTTP/1.1\r\nHost: a.test\r\n\r\n');
    const text = await conn.until((t) => t.endsWith('hello'));
    expect(text.match(/^HTTP\/1\.1 \d{3}/gm)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 204', 'HTTP/1.1 304', 'HTTP/1.1 200']);
    expect(text.split('hello')).toHaveLength(2); // only the GET has it
    expect(text).not.toMatch(/transfer-encoding/i);
  });

  it('answers Expect: 100-continue with 100 first, and another expectation with 417', async () => {
    const backend = await startBackend((_req, res, body) => res.end(`got ${body.length}`));
    const { port } = await startProxy(simpleConfig([backend.address]));
    const conn = await rawConnection(port);
    conn.write('POST / HTTP/1.1\r\nHost: a.test\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n');
    await conn.until((t) => t.startsWith('HTTP/1.1 100 Continue\r\n\r\n'));
    conn.write('body');
    expect(await conn.until((t) => t.endsWith('got 4'))).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
    const odd = await rawRequest(port, 'POST / HTTP/1.1\r\nHost: a.test\r\nContent-Length: 4\r\nExpect: teapot\r\n\r\nbody', 2000, true);
    expect(odd.status).toBe(417);
    expect(backend.requests).toHaveLength(1);
  });

  it('reads Expect as node:http does: any case of the name, repeats joined with ", ", HTTP/1.1 only', async () => {
    const backend = await startBackend((_req, res, body) => res.end(`got ${body.length}`));
    const { port } = await startProxy(simpleConfig([backend.address]));
    const post = (version: string, fields: string) => rawRequest(port, `POST / HTTP/${version}\r\nHost: a.test\r\nContent-Length: 4\r\n${fields}Connection: close\r\n\r\nbody`, 2000, true);
    // A repeat that names 100-continue: "teapot, 100-continue" matches, so 100 then the answer.
    const repeated = await post('1.1', 'EXPECT: teapot\r\nexpect: 100-continue\r\n');
    expect(repeated.text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
    expect(repeated.text).toContain('got 4');
    expect((await post('1.1', 'expect: 100-continue\r\nExpect: teapot\r\n')).text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
    // Two unknown expectations: 417, nothing forwarded.
    expect((await post('1.1', 'eXpEcT: teapot\r\nExpect: coffee\r\n')).status).toBe(417);
    // An empty Expect is still an expectation (node: headers.expect === '' is not undefined).
    expect((await post('1.1', 'Expect:\r\n')).status).toBe(417);
    // A field whose name only starts with "expect" is not Expect.
    expect((await post('1.1', 'Expectation: teapot\r\n')).text).toContain('got 4');
    // HTTP/1.0: Expect is not looked at.
    expect((await post('1.0', 'Expect: teapot\r\n')).text).toContain('got 4');
    expect(backend.requests).toHaveLength(4);
  });

  it('streams a large upload to a slow upstream whole, holding the client back meanwhile', async () => {
    const body = Buffer.alloc(8 * 1024 * 1024, 'x');
    for (let i = 0; i < body.length; i += 4096) body[i] = i & 0xff;
    const backend = await startBackend((_req, res, got) => res.end(createHash('sha256').update(got).digest('hex')));
    backend.server.on('request', (req) => {
      req.pause();
      setTimeout(() => req.resume(), 300); // the proxy must stop reading the client meanwhile, not buffer 8 MiB
    });
    const { url } = await startProxy(simpleConfig([backend.address]));
    const reply = await request(url, { method: 'POST', body });
    expect(reply.body.toString()).toBe(createHash('sha256').update(body).digest('hex'));
  });

  it('refuses HTTP/1.1 without Host with 400 and closes (RFC 9112 §3.2)', async () => {
    const backend = await startBackend();
    const { port } = await startProxy(simpleConfig([backend.address]));
    const missing = await rawRequest(port, 'GET / HTTP/1.1\r\n\r\n', 2000, true);
    expect(missing.status).toBe(400);
    expect(missing.closed).toBe(true);
    expect(backend.requests).toHaveLength(0);
  });

  it('closes a CONNECT request without answering it', async () => {
    const backend = await startBackend();
    const { port } = await startProxy(simpleConfig([backend.address]));
    const reply = await rawRequest(port, 'CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\n\r\n', 2000, true);
    expect(reply.closed).toBe(true);
    expect(reply.text).not.toMatch(/^HTTP\/1\.1 2/);
    expect(backend.requests).toHaveLength(0);
  });

  it('tells the upstream when a client goes away mid-upload, and stays up', async () => {
    let aborted: () => void = () => undefined;
    const sawAbort = new Promise<void>((r) => (aborted = r));
    const backend = await startBackend(() => undefined, { readBody: false });
    backend.server.on('request', (req) => req.on('close', () => !req.complete && aborted()));
    const { port, url } = await startProxy(simpleConfig([backend.address]));
    const socket = net.connect(port, '127.0.0.1', () => socket.write('POST / HTTP/1.1\r\nHost: a.test\r\nContent-Length: 100000\r\n\r\npartial'));
    socket.on('error', () => undefined);
    registerCleanup(async () => socket.destroy());
    await new Promise<void>((r) => backend.server.once('request', () => r()));
    socket.destroy();
    await sawAbort;
    backend.server.removeAllListeners('request');
    backend.server.on('request', (_req, res) => res.end('still here'));
    expect((await request(url)).body.toString()).toBe('still here');
  });

  nativeIt('answers a malformed pipelined request only after the requests before it (node:http answers 400 first)', async () => {
    const backend = await startBackend((_req, res) => setTimeout(() => res.end('slow answer'), 100));
    const { port } = await startProxy(simpleConfig([backend.address]));
    const reply = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: a.test\r\n\r\nGARBAGE\r\n\r\n', 3000, true);
    expect(reply.text.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 400']);
    expect(reply.text.indexOf('slow answer')).toBeLessThan(reply.text.indexOf('HTTP/1.1 400'));
  });

  nativeIt('answers a request with Connection: close and ignores what follows it (node:http answers 400 first)', async () => {
    const backend = await startBackend((_req, res) => setTimeout(() => res.end('only answer'), 50));
    const { port } = await startProxy(simpleConfig([backend.address]));
    const reply = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\nGET /second HTTP/1.1\r\nHost: a.test\r\n\r\n', 3000, true);
    expect(reply.text.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200']);
    expect(reply.text.endsWith('only answer')).toBe(true);
    expect(reply.closed).toBe(true);
    expect(backend.requests.map((r) => r.url)).toEqual(['/']);
  });

  describe('over TLS', () => {
    const kinds = [
      { name: 'h2 listener, ALPN http/1.1', http2: true, alpn: ['http/1.1'] },
      { name: 'h2 listener, no ALPN', http2: true, alpn: undefined },
      { name: 'https listener', http2: false, alpn: ['http/1.1'] },
    ];

    it.each(kinds)('answers pipelined HTTP/1.1 requests in order ($name)', async ({ http2, alpn }) => {
      const backend = await startBackend((req, res) => setTimeout(() => res.end(`answer ${req.url}`), req.url === '/1' ? 50 : 0));
      const cert = makeCertificate(certDir(), 'a', ['a.test']);
      const { port } = await startTlsProxy(simpleConfig([backend.address]), { certificates: [filesOf(cert)], http2 });
      const { protocol, text } = await tlsExchange(port, alpn, 'GET /1 HTTP/1.1\r\nHost: a.test\r\n\r\nGET /2 HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n');
      expect(protocol).toBe(alpn === undefined ? false : 'http/1.1');
      expect(text.match(/answer \/\d/g)).toEqual(['answer /1', 'answer /2']);
      expect(backend.requests.map((r) => r.headers['x-forwarded-proto'])).toEqual(['https', 'https']);
    });

    // Which server read the connection shows in how it orders a refusal (see above).
    (native ? it.each(kinds) : it.skip.each(kinds))('is read by the native server ($name)', async ({ http2, alpn }) => {
      const backend = await startBackend((_req, res) => setTimeout(() => res.end('slow answer'), 50));
      const cert = makeCertificate(certDir(), 'a', ['a.test']);
      const { port } = await startTlsProxy(simpleConfig([backend.address]), { certificates: [filesOf(cert)], http2 });
      const { text } = await tlsExchange(port, alpn, 'GET / HTTP/1.1\r\nHost: a.test\r\n\r\nGARBAGE\r\n\r\n');
      expect(text.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 400']);
    });
  });
});
