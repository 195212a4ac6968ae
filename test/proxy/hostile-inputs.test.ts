// Hostile clients against the real proxy over raw TCP: for each input, what the client gets and
// what the upstream receives (nothing, or exactly the headers asserted). The process must stay up:
// every case ends with a normal request that succeeds.
import type { IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import { rawRequest, type RawReply } from '../helpers/raw-http';
import { type Backend, registerCleanup, request, simpleConfig, startBackend, startProxy } from '../helpers/servers';

jest.setTimeout(15_000);

/** Opens a connection, sends half a request head, and resolves when the proxy closes it. */
function stalledHead(port: number): Promise<{ startedAt: number; closedAt: number; received: string }> {
  return new Promise((resolve) => {
    let received = '';
    const startedAt = Date.now();
    const socket = net.connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: a.test\r\n'));
    socket.on('data', (d) => (received += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ startedAt, closedAt: Date.now(), received }));
    registerCleanup(async () => socket.destroy());
  });
}

describe('a client that stalls in its request head', () => {
  it('is cut between clientHeader and clientHeader + 300 ms', async () => {
    const { port } = await startProxy({ ...simpleConfig(['127.0.0.1:1']), timeouts: { clientHeader: 300 } });
    const { startedAt, closedAt, received } = await stalledHead(port);
    expect(closedAt - startedAt).toBeGreaterThanOrEqual(295);
    expect(closedAt - startedAt).toBeLessThan(600);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('is cut at most a quarter of clientHeader late, whatever its phase against the check timer', async () => {
    // Ten clients 50 ms apart cover every phase of a check interval up to 500 ms: with node's
    // default (clientHeader / 2) one of them is cut ~450 ms late; at clientHeader / 4, 250 ms.
    const { port } = await startProxy({ ...simpleConfig(['127.0.0.1:1']), timeouts: { clientHeader: 1000 } });
    const stalls: Promise<{ startedAt: number; closedAt: number }>[] = [];
    for (let i = 0; i < 10; i++) {
      stalls.push(stalledHead(port));
      await new Promise((r) => setTimeout(r, 50));
    }
    const late = (await Promise.all(stalls)).map((s) => s.closedAt - s.startedAt - 1000);
    expect(Math.min(...late)).toBeGreaterThanOrEqual(-5);
    expect(Math.max(...late)).toBeLessThan(380);
  });
});

// Every variable kind, into a request header, a response header and a redirect location.
const VARS = { arg: '$arg_a', http: '$http_x_h', cookie: '$cookie_c', ruri: '$request_uri', uri: '$uri', args: '$args', host: '$host' };
const ruleSet = (prefix: string) => Object.fromEntries(Object.entries(VARS).map(([k, v]) => [`${prefix}${k}`, v]));

async function hostileProxy(): Promise<{ port: number; url: string; backend: Backend }> {
  const backend = await startBackend();
  const { port, url } = await startProxy({
    ...simpleConfig([backend.address]),
    forwardedHeader: true,
    routes: [
      { match: { path: '/redir' }, redirect: { location: `https://$host/r?${Object.values(VARS).join('|')}`, status: 302 } },
      { proxy: { upstream: 'app' }, requestHeaders: { set: ruleSet('x-v-') }, responseHeaders: { set: ruleSet('x-r-') } },
    ],
  });
  return { port, url, backend };
}

type Upstream = 'nothing' | ((seen: Backend['requests']) => void);
interface Case {
  send: string;
  status: number;
  upstream: Upstream;
  reply?: (reply: RawReply) => void;
  /** Read until the proxy closes (within 500 ms) and require that it does. */
  untilClose?: boolean;
}

const GET = (target: string, headers = '') => `GET ${target} HTTP/1.1\r\nHost: a.test\r\n${headers}Connection: close\r\n\r\n`;
const POST = (headers: string, body = '') => `POST / HTTP/1.1\r\nHost: a.test\r\n${headers}\r\n${body}`;
const one = (check: (h: IncomingHttpHeaders, body: Buffer) => void): Upstream => (seen) => {
  expect(seen).toHaveLength(1);
  check(seen[0].headers, seen[0].body);
};
const noInjected = (reply: RawReply) => expect(reply.text.toLowerCase()).not.toMatch(/\r\n(x-injected|set-cookie):/);
const tokens = Array.from({ length: 1500 }, (_, i) => `x-t${i}`).join(', ');

const CASES: [string, Case][] = [
  // ---- header injection through variables: values stay raw, or the parser refuses the request ----
  ['%0d%0a in $arg_ stays raw', { send: GET('/?a=1%0d%0aX-Injected:%20yes'), status: 200, reply: noInjected, upstream: one((h) => {
    expect(h['x-injected']).toBeUndefined();
    expect(h['x-v-arg']).toBe('1%0d%0aX-Injected:%20yes');
  }) }],
  ['%00 and %C4%80 in $arg_ stay raw', { send: GET('/?a=%00%C4%80'), status: 200, upstream: one((h) => expect(h['x-v-arg']).toBe('%00%C4%80')),
    reply: (r) => expect(r.text).toContain('\r\nx-r-arg: %00%C4%80\r\n') }],
  ['CR inside a header value ($http_)', { send: GET('/', 'X-H: a\rX-Injected: 1\r\n'), status: 400, upstream: 'nothing' }],
  ['bare LF inside a header value ($http_)', { send: GET('/', 'X-H: a\nX-Injected: 1\r\n'), status: 400, upstream: 'nothing' }],
  ['NUL inside a header value ($http_)', { send: GET('/', 'X-H: a\0b\r\n'), status: 400, upstream: 'nothing' }],
  ['%0d%0a in a cookie ($cookie_) stays raw', { send: GET('/', 'Cookie: c=a%0d%0aX-Injected:1\r\n'), status: 200, reply: noInjected,
    upstream: one((h) => expect([h['x-v-cookie'], h['x-injected']]).toEqual(['a%0d%0aX-Injected:1', undefined])) }],
  ['CR inside a cookie', { send: GET('/', 'Cookie: c=a\rb\r\n'), status: 400, upstream: 'nothing' }],
  ['%0d%0a in the path ($request_uri, $uri, $args) stays raw', { send: GET('/p%0d%0aX-Injected:1?q%0a=1'), status: 200, reply: noInjected,
    upstream: one((h) => {
      expect([h['x-v-ruri'], h['x-v-uri'], h['x-v-args']]).toEqual(['/p%0d%0aX-Injected:1?q%0a=1', '/p%0d%0aX-Injected:1', 'q%0a=1']);
      expect(h['x-injected']).toBeUndefined();
    }) }],
  ['a raw CR, tab or DEL in the path', { send: GET('/a\rb'), status: 400, upstream: 'nothing' }],
  ['obs-fold in Host ($host)', { send: 'GET / HTTP/1.1\r\nHost: a.test\r\n X-Injected: 1\r\n\r\n', status: 400, upstream: 'nothing' }],
  ['$host from "A.Test:99" is "a.test"; X-Forwarded-Host keeps it', { send: GET('/').replace('a.test', 'A.Test:99'), status: 200,
    upstream: one((h) => expect([h['x-v-host'], h['x-forwarded-host']]).toEqual(['a.test', 'A.Test:99'])) }],
  ['every variable into a redirect location', {
    send: GET('/redir?a=%0d%0aSet-Cookie:%20x=1', 'X-H: h%0d%0a\r\nCookie: c=%0a\r\n'), status: 302, upstream: 'nothing', reply: (r) => {
      noInjected(r);
      expect(r.text).toContain('\r\nlocation: https://a.test/r?%0d%0aSet-Cookie:%20x=1|h%0d%0a|%0a|/redir?a=%0d%0aSet-Cookie:%20x=1|/redir|a=%0d%0aSet-Cookie:%20x=1|a.test\r\n');
    } }],
  ['non-ASCII (latin1 and UTF-8 bytes) in header values passes byte for byte', { send: GET('/', 'X-H: caf\xe9 \xc3\xa9\r\n'), status: 200,
    upstream: one((h) => expect(h['x-v-http']).toBe('caf\xe9 \xc3\xa9')), reply: (r) => expect(r.text).toContain('\r\nx-r-http: caf\xe9 \xc3\xa9\r\n') }],

  // ---- Connection tokens cannot remove what the proxy adds, nor Host ----
  ['Connection naming host, x-real-ip, x-forwarded-*, forwarded', {
    send: GET('/', 'Connection: x-real-ip, host, x-forwarded-for, x-forwarded-proto, x-forwarded-host, forwarded, x-gone\r\nX-Gone: 1\r\nForwarded: for=6.6.6.6\r\n')
      .replace('Connection: close\r\n', ''),
    status: 200, upstream: one((h) => {
      expect(h).toMatchObject({ host: 'a.test', 'x-real-ip': '127.0.0.1', 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'a.test' });
      expect(h.forwarded).toBe('for=127.0.0.1;host=a.test;proto=http');
      expect(h['x-gone']).toBeUndefined();
    }) }],
  ['a Connection header listing 1,500 tokens', { send: GET('/', `Connection: close, ${tokens}\r\nX-T1499: 1\r\nX-Kept: 1\r\n`), status: 200,
    upstream: one((h) => expect([h['x-t1499'], h['x-kept'], h['x-real-ip']]).toEqual([undefined, '1', '127.0.0.1'])) }],
  ['Connection naming Content-Length: the body still arrives whole', { send: POST('Connection: close, content-length\r\nContent-Length: 5\r\n', 'hello'), status: 200,
    upstream: one((_h, body) => expect(body.toString()).toBe('hello')) }],

  // ---- framing: duplicate and conflicting, refused before anything is forwarded ----
  ['Content-Length with Transfer-Encoding', { send: POST('Content-Length: 5\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n'), status: 400, upstream: 'nothing' }],
  ['two equal Content-Lengths', { send: POST('Content-Length: 1\r\nContent-Length: 1\r\n', 'x'), status: 400, upstream: 'nothing' }],
  ['two different Content-Lengths', { send: POST('Content-Length: 1\r\nContent-Length: 2\r\n', 'xx'), status: 400, upstream: 'nothing' }],
  ['Content-Length "1, 1"', { send: POST('Content-Length: 1, 1\r\n', 'x'), status: 400, upstream: 'nothing' }],
  ['Content-Length "+1"', { send: POST('Content-Length: +1\r\n', 'x'), status: 400, upstream: 'nothing' }],
  ['Content-Length "-1"', { send: POST('Content-Length: -1\r\n', 'x'), status: 400, upstream: 'nothing' }],
  ['Content-Length beyond 2^53', { send: POST('Content-Length: 99999999999999999999\r\n', 'x'), status: 400, upstream: 'nothing' }],
  ['Transfer-Encoding "gzip, chunked"', { send: POST('Transfer-Encoding: gzip, chunked\r\n', '0\r\n\r\n'), status: 501, upstream: 'nothing' }],
  ['Transfer-Encoding "identity"', { send: POST('Transfer-Encoding: identity\r\n'), status: 501, upstream: 'nothing' }],
  ['Transfer-Encoding "chunked, identity"', { send: POST('Transfer-Encoding: chunked, identity\r\n', '0\r\n\r\n'), status: 400, upstream: 'nothing' }],
  ['Transfer-Encoding "gzip" then "chunked"', { send: POST('Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n'), status: 501, upstream: 'nothing' }],
  ['a request smuggled behind a refused Transfer-Encoding', {
    send: POST('Transfer-Encoding: gzip, chunked\r\n', '0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a.test\r\n\r\n'), status: 501, upstream: 'nothing', untilClose: true,
    reply: (r) => expect(r.text.match(/HTTP\/1\.1 /g)).toHaveLength(1) }],
  ['Transfer-Encoding "chunked" twice', { send: POST('Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n'), status: 400, upstream: 'nothing' }],
  ['Transfer-Encoding "Chunked" (case-insensitive, accepted)', { send: POST('Transfer-Encoding: Chunked\r\n', '5\r\nhello\r\n0\r\n\r\n'), status: 200,
    upstream: one((_h, body) => expect(body.toString()).toBe('hello')) }],
  // The head may have gone upstream before the bad chunk arrived: no complete request reaches it.
  ['a chunk size that overflows', { send: POST('Transfer-Encoding: chunked\r\n', 'ffffffffffffffffffff\r\nx\r\n0\r\n\r\n'), status: 400, upstream: 'nothing' }],
  ['a chunk size that is not hex', { send: POST('Transfer-Encoding: chunked\r\n', 'zz\r\nx\r\n0\r\n\r\n'), status: 400, upstream: 'nothing' }],
  ['two Host headers', { send: GET('/', 'Host: b.test\r\n'), status: 400, upstream: 'nothing' }],
  ['no Host header', { send: 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n', status: 400, upstream: 'nothing' }],

  // ---- oversized heads ----
  ['101 header fields', { send: GET('/', 'x: y\r\n'.repeat(100)), status: 431, upstream: 'nothing' }],
  ['2,001 header fields', { send: GET('/', 'x: y\r\n'.repeat(2000)), status: 431, upstream: 'nothing' }],
  ['one 20 KiB header value', { send: GET('/', `X-Big: ${'b'.repeat(20 * 1024)}\r\n`), status: 431, upstream: 'nothing' }],
  ['a 20 KiB request target', { send: GET(`/${'u'.repeat(20 * 1024)}`), status: 431, upstream: 'nothing' }],

  // ---- request targets a reverse proxy does not route ----
  ['an absolute-form target', { send: GET('http://evil.test/'), status: 400, upstream: 'nothing' }],
  ['an asterisk-form target', { send: 'OPTIONS * HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n', status: 400, upstream: 'nothing' }],
  ['an Upgrade with an absolute-form target', { send: GET('http://evil.test/', 'Upgrade: websocket\r\nConnection: upgrade\r\n').replace('Connection: close\r\n', ''),
    status: 400, upstream: 'nothing' }],
  ['an Upgrade with two Host headers', { send: GET('/', 'Host: b.test\r\nUpgrade: websocket\r\nConnection: upgrade\r\n').replace('Connection: close\r\n', ''),
    status: 400, upstream: 'nothing' }],

  // ---- NUL bytes and bad methods ----
  ['NUL in the target', { send: GET('/a\0b'), status: 400, upstream: 'nothing' }],
  ['NUL in a header name', { send: GET('/', 'X-\0: 1\r\n'), status: 400, upstream: 'nothing' }],
  ['a method with a non-token char', { send: GET('/').replace('GET', 'G@T'), status: 400, upstream: 'nothing' }],
  ['an unknown method', { send: GET('/').replace('GET', 'BREW'), status: 400, upstream: 'nothing' }],
  ['a lowercase method', { send: GET('/').replace('GET', 'get'), status: 400, upstream: 'nothing' }],
  ['an HTTP/2 preface on the HTTP/1.1 port', { send: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', status: 400, upstream: 'nothing' }],
  ['an unknown HTTP version', { send: GET('/').replace('HTTP/1.1', 'HTTP/1.7'), status: 400, upstream: 'nothing' }],
];

describe('hostile inputs', () => {
  it.each(CASES)('%s', async (_name, c) => {
    const { port, url, backend } = await hostileProxy();
    const reply = await rawRequest(port, c.send, c.untilClose ? 500 : 2000, c.untilClose);
    expect(reply.status).toBe(c.status);
    if (c.untilClose) expect(reply.closed).toBe(true);
    c.reply?.(reply);
    if (c.upstream === 'nothing') expect(backend.requests).toHaveLength(0);
    else c.upstream(backend.requests);
    expect((await request(url)).status).toBe(200); // the process is still up and serving
  });
});
