// The native HTTP/1.1 server's parts on their own: the parser self-test and the server choice, the
// headers object (the same as node:http's for the same raw head), a request's body handed to a
// pipe, and a response's refusal of what would split its head.
import http, { type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { nativeParserClass, type NativeParserClass } from '../../proxy/src/upstream/h1/native-parser';
import { choose } from '../../proxy/src/server/h1/http1-server-kind';
import { headersObject } from '../../proxy/src/server/h1/headers-object';
import { MAX_UNPIPED_BODY, RawRequest } from '../../proxy/src/server/h1/raw-request';
import { RawResponse, type ResponseWriter } from '../../proxy/src/server/h1/raw-response';
import { requestParserSelfTest } from '../../proxy/src/server/h1/request-parser-self-test';
import { rawRequest } from '../helpers/raw-http';
import { registerCleanup } from '../helpers/servers';

describe('the request parser self-test', () => {
  it('passes on this Node', () => {
    expect(requestParserSelfTest()).toBeNull();
  });

  it('names what is wrong with a binding that parses otherwise, and never throws', () => {
    const Real = nativeParserClass()!;
    // A binding whose execute stops before the first byte, and one that throws.
    const Stalling = Object.assign(class extends (Real as unknown as new () => object) {}, Real) as unknown as NativeParserClass;
    Stalling.prototype.execute = () => 0;
    const Throwing = Object.assign(class extends (Real as unknown as new () => object) {}, Real) as unknown as NativeParserClass;
    Throwing.prototype.execute = () => {
      throw new Error('boom');
    };
    expect(requestParserSelfTest(Stalling)).toMatch(/^two pipelined requests, .*: expected ".*", got "execute 0"$/);
    expect(requestParserSelfTest(Throwing)).toBe('self-test threw: boom');
    expect(requestParserSelfTest(null)).toBe('node:_http_common HTTPParser is not available');
    expect(requestParserSelfTest(Object.assign(function Fake() {}, { REQUEST: 7 }) as unknown as NativeParserClass)).toBe('HTTPParser.REQUEST is 7, expected 1');
  });
});

describe('the choice of HTTP/1.1 server', () => {
  const pass = () => null;
  const fail = () => 'no binding';

  it('is native when the self-test passes, node:http when asked or when it fails, with a warning', () => {
    const reports: string[] = [];
    const report = (m: string) => reports.push(m);
    expect(choose(undefined, pass, report)).toBe('native');
    expect(choose('native', pass, report)).toBe('native');
    expect(choose('NODE', fail, report)).toBe('node');
    expect(reports).toEqual([]);
    expect(choose(undefined, fail, report)).toBe('node');
    expect(reports.pop()).toMatch(/cannot run on this Node \(no binding\)/);
    expect(choose('fast', pass, report)).toBe('native');
    expect(reports.pop()).toMatch(/PORTICO_HTTP1_SERVER="fast" is neither "native" nor "node"/);
  });
});

describe('the headers object', () => {
  it('is what node:http builds for the same raw head', async () => {
    const seen: IncomingMessage[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req);
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    registerCleanup(() => new Promise((r) => server.close(r)));
    const port = (server.address() as AddressInfo).port;
    const head =
      'GET / HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\nCookie: a=1\r\ncookie: b=2\r\nSet-Cookie: s=1\r\nSet-Cookie: s=2\r\n' +
      'Accept: text/html\r\nACCEPT: application/json\r\nContent-Type: text/plain\r\nContent-Type: text/html\r\nX-Custom: 1\r\nx-custom: 2\r\n' +
      'Authorization: one\r\nAuthorization: two\r\nUser-Agent: u1\r\nUser-Agent: u2\r\n__proto__: polluted\r\nconstructor: c\r\n\r\n';
    await rawRequest(port, head);
    expect(seen).toHaveLength(1);
    const req = seen[0];
    expect({ ...headersObject(req.rawHeaders) }).toEqual({ ...req.headers });
    expect(Object.getPrototypeOf(headersObject(req.rawHeaders))).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('a request body of the native server', () => {
  it('asks the connection to read again once a pipe takes the bytes that stopped it', () => {
    let changes = 0;
    const request = new RawRequest({ bodyAppetiteChanged: () => changes++ }, null as unknown as Socket, 'POST', '/', 1, 1, []);
    request.pushBody(Buffer.alloc(MAX_UNPIPED_BODY + 1));
    expect(request.wantsBody).toBe(false);
    const taken: Buffer[] = [];
    // A destination that never pushes back: nothing will 'drain', so only pipe() can say so.
    request.pipe(new Writable({ highWaterMark: 1024 * 1024, write: (chunk: Buffer, _enc, done) => (taken.push(chunk), done()) }));
    expect(request.wantsBody).toBe(true);
    expect(changes).toBe(1);
    expect(Buffer.concat(taken).length).toBe(MAX_UNPIPED_BODY + 1);
  });
});

describe('a response of the native server', () => {
  function response(): { res: RawResponse; written: Buffer[] } {
    const written: Buffer[] = [];
    const socket = { write: (b: Buffer) => written.push(b) > 0, cork: () => undefined, uncork: () => undefined };
    const writer: ResponseWriter = { socket: socket as unknown as ResponseWriter['socket'], writeLast: (_r, b) => void written.push(b) };
    return { res: new RawResponse(writer, false, false, true), written };
  }

  it('throws as node:http does for what would split or corrupt its head, and writes nothing', () => {
    const cases: [() => unknown, string][] = [
      [() => response().res.writeHead(200, ['x-a', 'one\r\nInjected: yes']), 'ERR_INVALID_CHAR'],
      [() => response().res.writeHead(200, ['bad name', 'v']), 'ERR_INVALID_HTTP_TOKEN'],
      [() => response().res.writeHead(200, { 'x-b': 'nul\0' }), 'ERR_INVALID_CHAR'],
      [() => response().res.writeHead(200, 'OK\r\nInjected: yes', {}), 'ERR_INVALID_CHAR'],
      [() => response().res.writeHead(99), 'ERR_HTTP_INVALID_STATUS_CODE'],
    ];
    for (const [write, code] of cases) expect(write).toThrow(expect.objectContaining({ code }));
    const { res, written } = response();
    expect(() => res.writeHead(200, ['x-a', 'a\nb'])).toThrow();
    expect(res.headersSent).toBe(false);
    res.writeHead(502, ['content-length', '3']);
    res.end('bad');
    expect(Buffer.concat(written).toString('latin1')).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\ncontent-length: 3\r\nConnection: keep-alive\r\nDate: [^\r]+\r\n\r\nbad$/);
  });
});

describe('a response head held as text', () => {
  /** A response on a socket that keeps each write as the bytes it would send (a string in its encoding). */
  function response(head = false): { res: RawResponse; bytes: () => Buffer } {
    const written: Buffer[] = [];
    const take = (b: Buffer | string, encoding?: BufferEncoding | (() => void)) => written.push(typeof b === 'string' ? Buffer.from(b, typeof encoding === 'string' ? encoding : 'utf8') : Buffer.from(b)) > 0;
    const socket = { write: take, cork: () => undefined, uncork: () => undefined };
    const writer: ResponseWriter = { socket: socket as unknown as ResponseWriter['socket'], writeLast: (_r, b) => void take(b) };
    return { res: new RawResponse(writer, false, head, true), bytes: () => Buffer.concat(written) };
  }
  const headers = { 'x-obs': 'caf\xe9 \xff\x80', 'x-n': 42, 'x-list': ['a', 'b\xe0'] } as unknown as Record<string, string>;
  const headOf = (status: string, extra: string) =>
    Buffer.from(`HTTP/1.1 ${status}\r\nx-obs: caf\xe9 \xff\x80\r\nx-n: 42\r\nx-list: a\r\nx-list: b\xe0\r\n${extra}Connection: keep-alive\r\nDate: `, 'latin1');
  /** Splits at the end of the head and checks its start byte for byte; returns what follows the head. */
  function afterHead(bytes: Buffer, start: Buffer): Buffer {
    expect(bytes.subarray(0, start.length).equals(start)).toBe(true);
    const end = bytes.indexOf('\r\n\r\n', start.length);
    expect(end).toBeGreaterThan(0);
    expect(bytes.subarray(start.length, end).toString('latin1')).toMatch(/^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/);
    return bytes.subarray(end + 4);
  }

  it('writes obs-text in values and reason one byte a character, on every path from head to body', () => {
    const small = Buffer.alloc(100, 'a');
    const large = Buffer.alloc(20_000, 'b');
    for (const body of [small, large]) {
      // end(body), Content-Length
      let r = response();
      r.res.writeHead(200, 'R\xe9ponse', { ...headers, 'content-length': String(body.length) });
      r.res.end(body);
      expect(afterHead(r.bytes(), headOf('200 R\xe9ponse', `content-length: ${body.length}\r\n`)).equals(body)).toBe(true);
      // write(body) then end(), Content-Length
      r = response();
      r.res.writeHead(200, 'R\xe9ponse', { ...headers, 'content-length': String(body.length) });
      r.res.write(body);
      r.res.end();
      expect(afterHead(r.bytes(), headOf('200 R\xe9ponse', `content-length: ${body.length}\r\n`)).equals(body)).toBe(true);
      // write(empty) flushes the head alone, then end(body)
      r = response();
      r.res.writeHead(200, { ...headers, 'content-length': String(body.length) });
      r.res.write(Buffer.alloc(0));
      r.res.end(body);
      expect(afterHead(r.bytes(), headOf('200 OK', `content-length: ${body.length}\r\n`)).equals(body)).toBe(true);
      // chunked: write(body), end(body)
      r = response();
      r.res.writeHead(200, headers);
      r.res.write(body);
      r.res.end(body);
      const size = body.length.toString(16);
      const chunked = Buffer.concat([Buffer.from(`${size}\r\n`), body, Buffer.from(`\r\n${size}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
      expect(afterHead(r.bytes(), headOf('200 OK', 'Transfer-Encoding: chunked\r\n')).equals(chunked)).toBe(true);
      // HEAD: the head alone, whatever the body
      r = response(true);
      r.res.writeHead(200, { ...headers, 'content-length': String(body.length) });
      r.res.write(body);
      r.res.end(body);
      expect(afterHead(r.bytes(), headOf('200 OK', `content-length: ${body.length}\r\n`)).length).toBe(0);
    }
    // 204 and 304: the head alone
    for (const status of [204, 304]) {
      const r = response();
      r.res.writeHead(status, headers);
      r.res.end('ignored');
      expect(afterHead(r.bytes(), headOf(`${status} ${status === 204 ? 'No Content' : 'Not Modified'}`, '')).length).toBe(0);
    }
  });

  it('refuses a character over 0xFF in a value or the reason, as node:http does, so no head is ever shorter in bytes than in characters', () => {
    expect(() => response().res.writeHead(200, { 'x-a': 'snowman \u2603' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CHAR' }));
    expect(() => response().res.writeHead(200, ['x-a', '\u0100'])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CHAR' }));
    expect(() => response().res.writeHead(200, { 'x-a': ['ok', '\u{1F600}'] })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CHAR' }));
    expect(() => response().res.writeHead(200, 'Caf\u00e9 \u2603', {})).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CHAR' }));
    expect(() => response().res.writeHead(200, { 'x-\u00e9': 'v' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_HTTP_TOKEN' }));
  });
});
