// Hostile clients against the HTTP/1.1 server (native by default, node:http in unit-node-http):
// floods of pipelined requests, a client that never reads, a body that turns malformed half-way, a
// head sent a byte at a time, a head too slow only because the proxy had stopped reading it; and
// message boundaries: an upgrade that carries a body, a connection that sends nothing, trailers.
import net from 'node:net';
import { http1ServerKind } from '../../proxy/src/server/h1/http1-server-kind';
import { occurrences, rawConnection, rawRequest } from '../helpers/raw-http';
import { registerCleanup, request, simpleConfig, sleep, startBackend, startProxy } from '../helpers/servers';

jest.setTimeout(20_000);

const nativeIt = http1ServerKind() === 'native' ? it : it.skip;

describe('a hostile HTTP/1.1 client', () => {
  it('pipelining 1,500 requests answered at once gets 1,500 answers in order, and the proxy stays up', async () => {
    const { port, url } = await startProxy({ upstreams: {}, routes: [{ redirect: { location: 'https://b.test$request_uri', status: 301 } }] });
    const conn = await rawConnection(port);
    let requests = '';
    for (let i = 0; i < 1500; i++) requests += `GET /${i} HTTP/1.1\r\nHost: a.test\r\n\r\n`;
    conn.write(requests);
    const text = await conn.until((t) => t.includes('https://b.test/1499\r\n') && t.endsWith('\r\n\r\n'));
    expect(occurrences(text, 'HTTP/1.1 301 ')).toBe(1500);
    const locations = [...text.matchAll(/location: https:\/\/b\.test\/(\d+)\r\n/gi)].map((m) => Number(m[1]));
    expect(locations).toEqual(Array.from({ length: 1500 }, (_, i) => i));
    expect((await request(`${url}/after`)).status).toBe(301);
  });

  // node:http dispatches every request of a read at once: all 200 are forwarded and their 200 MiB
  // held for a client that reads nothing (one reason the native server is the default).
  nativeIt('pipelining requests for large answers it never reads gets no more forwarded than its buffers hold', async () => {
    const big = Buffer.alloc(1024 * 1024, 'b');
    const backend = await startBackend((_req, res) => res.end(big));
    const { port, url } = await startProxy(simpleConfig([backend.address]));
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    registerCleanup(async () => socket.destroy());
    socket.pause(); // never reads
    let requests = '';
    for (let i = 0; i < 200; i++) requests += `GET /${i} HTTP/1.1\r\nHost: a.test\r\n\r\n`;
    socket.write(requests);
    await new Promise<void>((r) => backend.server.once('request', () => r()));
    // Nothing signals "the proxy stopped forwarding": give it time to go wrong.
    await sleep(1000);
    expect(backend.requests.length).toBeLessThan(40); // loopback buffers hold a few MiB; 200 MiB were asked
    expect((await request(url)).body.length).toBe(big.length);
  });

  it('whose chunked body turns malformed half-way gets 400 (or a cut), the upstream sees an aborted body, and the proxy stays up', async () => {
    let aborted: () => void = () => undefined;
    const sawAbort = new Promise<void>((r) => (aborted = r));
    const backend = await startBackend(() => undefined, { readBody: false });
    backend.server.on('request', (req) => {
      req.resume();
      req.on('close', () => !req.complete && aborted());
    });
    const { port, url } = await startProxy(simpleConfig([backend.address]));
    const conn = await rawConnection(port);
    conn.write('POST / HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
    await new Promise<void>((r) => backend.server.once('request', () => r()));
    conn.write('ZZZ-not-a-chunk-size\r\n');
    await conn.closed;
    expect(conn.text === '' || /^HTTP\/1\.1 400 /.test(conn.text)).toBe(true);
    await sawAbort;
    backend.server.removeAllListeners('request');
    backend.server.on('request', (_req, res) => res.end('fine'));
    expect((await request(url)).body.toString()).toBe('fine');
  });

  it('sending its head a byte at a time, with more fields than llhttp reports at once, is read whole', async () => {
    const backend = await startBackend((req, res) => res.end(`${req.headers['x-f39']} ${req.url}`));
    const { port } = await startProxy(simpleConfig([backend.address]));
    const conn = await rawConnection(port);
    let head = 'GET /slowly/typed?q=1 HTTP/1.1\r\nHost: a.test\r\n';
    for (let i = 0; i < 40; i++) head += `X-F${i}: value ${i}\r\n`;
    head += '\r\n';
    for (const byte of head) conn.write(byte);
    expect(await conn.until((t) => t.endsWith('/slowly/typed?q=1'))).toMatch(/\r\n\r\nvalue 39 \/slowly\/typed\?q=1$/);
    expect(backend.requests[0].rawHeaders.filter((h) => /^x-f\d+$/i.test(h))).toHaveLength(40);
  });

  it('with a head over 16 KiB gets 431 and the connection closes', async () => {
    const backend = await startBackend();
    const { port } = await startProxy(simpleConfig([backend.address]));
    const reply = await rawRequest(port, `GET / HTTP/1.1\r\nHost: a.test\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`, 2000, true);
    expect(reply.status).toBe(431);
    expect(reply.closed).toBe(true);
    expect(backend.requests).toHaveLength(0);
  });

  nativeIt('whose pipelined head waits behind a slow answer is not timed out meanwhile (the proxy was not reading it)', async () => {
    const backend = await startBackend((req, res) => (req.url === '/slow' ? setTimeout(() => res.end('slow'), 700) : res.end('fast')));
    const { port } = await startProxy({ ...simpleConfig([backend.address]), timeouts: { clientHeader: 300 } });
    const conn = await rawConnection(port);
    // /slow is answered after 700 ms; /next waits whole behind it; /last's head is cut in two.
    conn.write('GET /slow HTTP/1.1\r\nHost: a.test\r\n\r\nGET /next HTTP/1.1\r\nHost: a.test\r\n\r\nGET /last HTTP/1.1\r\nHo');
    await conn.until((t) => t.endsWith('fast'));
    conn.write('st: a.test\r\n\r\n');
    const text = await conn.until((t) => occurrences(t, 'fast') === 2);
    expect(text.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200', 'HTTP/1.1 200']);
  });
});

const UPGRADE = 'GET /ws HTTP/1.1\r\nHost: a.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n';

// Message boundaries: what follows an upgrade's head, a silent connection, a chunked body's trailers.
describe('an HTTP/1.1 client playing with message boundaries', () => {
  it('answers an upgrade request whose chunked body is malformed, and closes', async () => {
    const backend = await startBackend();
    const { port } = await startProxy(simpleConfig([backend.address]));
    const r = await rawRequest(port, `${UPGRADE}Transfer-Encoding: chunked\r\n\r\nzz-not-a-size\r\n`, 2000, true);
    expect(r.closed).toBe(true);
    expect(r.status).toBe(400);
  });

  it('answers an upgrade request that carries a body larger than 64 KiB, sent whole', async () => {
    const backend = await startBackend();
    const { port } = await startProxy(simpleConfig([backend.address]));
    const body = 'x'.repeat(200 * 1024);
    const r = await rawRequest(port, `${UPGRADE}Content-Length: ${body.length}\r\n\r\n${body}`, 2000, true);
    expect(r.status).toBe(400);
    expect(r.closed).toBe(true);
  });

  // node:http (and NGINX's client_header_timeout) time a new connection's first head from the
  // accept: one that sends nothing is closed. The native server started the clock at the first
  // byte only, so a silent connection stayed open until clientKeepAlive, or for ever without one.
  it('closes a connection that sends nothing within the head timeout, even with no keep-alive limit', async () => {
    const backend = await startBackend();
    const { port } = await startProxy({ ...simpleConfig([backend.address]), timeouts: { clientHeader: '300ms', clientKeepAlive: 0 } } as never);
    const silent = await rawConnection(port);
    const outcome = await Promise.race([silent.closed.then(() => 'closed'), sleep(2000).then(() => 'still open')]);
    expect(outcome).toBe('closed');
    expect(silent.text === '' || /^HTTP\/1\.1 408 /.test(silent.text)).toBe(true);
  });

  // node's binding flushes a chunked body's trailer fields through kOnHeaders at the message's
  // end (with the URL it still holds); they were kept as "partial head" and prepended to the
  // NEXT request on the connection: its fields and its target. A front proxy that shares a
  // connection across clients would hand one client's fields and path prefix to another's request.
  it('does not carry a chunked body\'s trailer fields or target over into the next request', async () => {
    const backend = await startBackend((req, res) => res.end(`ok ${req.url}`));
    const { port } = await startProxy(simpleConfig([backend.address]));
    const conn = await rawConnection(port);
    conn.write('POST /admin HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Injected: from-trailer\r\n\r\n');
    await conn.until((t) => t.includes('ok /admin'));
    conn.write('GET /next HTTP/1.1\r\nHost: a.test\r\n\r\n');
    await conn.until((t) => occurrences(t, 'HTTP/1.1 ') === 2 && /\r\n\r\n[^]*\r\n\r\n[^]+$/.test(t));
    expect(backend.requests).toHaveLength(2);
    expect(backend.requests[1].url).toBe('/next');
    expect(backend.requests[1].rawHeaders).not.toContain('X-Injected');
    // the same, pipelined in one packet
    const conn2 = await rawConnection(port);
    conn2.write('POST /admin HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Injected: again\r\n\r\nGET /second HTTP/1.1\r\nHost: a.test\r\n\r\n');
    await conn2.until((t) => /ok \/[^ ]*second/.test(t));
    expect(backend.requests[3].url).toBe('/second');
    expect(backend.requests[3].rawHeaders).not.toContain('X-Injected');
  });
});
