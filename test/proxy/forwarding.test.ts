import http from 'node:http';
import net from 'node:net';
import { bodyOutcome, refusedAddress, request, simpleConfig, sleep, startBackend, startProxy } from '../helpers/servers';

describe('forwarding', () => {
  it('passes method, path, query, Host and body through, and the response back', async () => {
    const backend = await startBackend((req, res, body) => {
      res.writeHead(201, { 'content-type': 'text/plain', 'x-upstream': 'yes' });
      res.end(`got ${req.method} ${req.url} ${body.length}`);
    });
    const { url } = await startProxy(simpleConfig([backend.address]));
    const reply = await request(`${url}/a/b?c=1&d=2`, { method: 'PUT', headers: { host: 'example.test', 'content-type': 'text/plain' }, body: 'hello' });
    expect(reply.status).toBe(201);
    expect(reply.body.toString()).toBe('got PUT /a/b?c=1&d=2 5');
    expect(reply.headers['x-upstream']).toBe('yes');
    expect(backend.requests[0].headers.host).toBe('example.test');
    expect(backend.requests[0].body.toString()).toBe('hello');
  });

  it('streams chunked request and response bodies', async () => {
    const backend = await startBackend((_req, res, body) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }); // no length: chunked
      res.write(body.subarray(0, 3));
      setTimeout(() => res.end(body.subarray(3)), 20);
    });
    const { port } = await startProxy(simpleConfig([backend.address]));
    const reply = await new Promise<{ te: string | undefined; body: string }>((resolve, reject) => {
      const req = http.request({ port, host: '127.0.0.1', method: 'POST', agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ te: res.headers['transfer-encoding'], body }));
      });
      req.on('error', reject);
      req.write('abc'); // no content-length: the client sends chunked
      setTimeout(() => req.end('defgh'), 20);
    });
    expect(reply).toEqual({ te: 'chunked', body: 'abcdefgh' });
    expect(backend.requests[0].headers['transfer-encoding']).toBe('chunked');
    expect(backend.requests[0].body.toString()).toBe('abcdefgh');
  });

  it('keeps Content-Length responses as such', async () => {
    const backend = await startBackend((_q, res) => res.writeHead(200, { 'content-length': 5 }).end('12345'));
    const { url } = await startProxy(simpleConfig([backend.address]));
    const reply = await request(url);
    expect(reply.headers['content-length']).toBe('5');
    expect(reply.headers['transfer-encoding']).toBeUndefined();
  });

  it('answers HEAD with the upstream headers and no body', async () => {
    const backend = await startBackend((req, res) => {
      res.writeHead(200, { 'content-length': 1000, 'x-method': req.method });
      res.end(req.method === 'HEAD' ? undefined : 'x'.repeat(1000));
    });
    const { url } = await startProxy(simpleConfig([backend.address]));
    const reply = await request(url, { method: 'HEAD' });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-length']).toBe('1000');
    expect(reply.headers['x-method']).toBe('HEAD');
    expect(reply.body.length).toBe(0);
  });

  it('answers Expect: 100-continue and forwards the body', async () => {
    const backend = await startBackend((_q, res, body) => res.end(`len=${body.length}`));
    const { port } = await startProxy(simpleConfig([backend.address]));
    const result = await new Promise<{ continued: boolean; body: string }>((resolve, reject) => {
      let continued = false;
      const req = http.request({ port, host: '127.0.0.1', method: 'POST', agent: false, headers: { expect: '100-continue', 'content-length': 4 } });
      req.on('continue', () => {
        continued = true;
        req.end('data');
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ continued, body }));
      });
      req.on('error', reject);
    });
    expect(result).toEqual({ continued: true, body: 'len=4' });
    expect(backend.requests[0].headers.expect).toBeUndefined();
  });

  it('answers 502 with an HTML page, or JSON when the client asks for it, when the upstream refuses', async () => {
    const { url } = await startProxy(simpleConfig([await refusedAddress()]));
    const html = await request(url);
    expect(html.status).toBe(502);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.body.toString()).toContain('502 Bad Gateway');
    const json = await request(url, { headers: { accept: 'application/json' } });
    expect(json.status).toBe(502);
    expect(JSON.parse(json.body.toString())).toEqual({ status: 502, error: 'Bad Gateway', code: 'UPSTREAM_CONNECT_FAILED' });
  });

  it('answers 504 when the first byte is too slow, and the upstream connection is dropped', async () => {
    // undici's timers tick every ~0.5 s: timeouts in tests leave a wide gap.
    // unref: an answer nobody waits for must not keep jest running after the last test.
    const backend = await startBackend((_q, res) => setTimeout(() => res.end('late'), 3000).unref());
    const { url } = await startProxy({ ...simpleConfig([backend.address]), timeouts: { firstByte: 100 } });
    const started = Date.now();
    const reply = await request(url, { headers: { accept: 'application/json' } });
    expect(reply.status).toBe(504);
    expect(JSON.parse(reply.body.toString()).code).toBe('UPSTREAM_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('cuts the client connection when the upstream stalls mid-body (idle read timeout)', async () => {
    const backend = await startBackend((_q, res) => {
      res.writeHead(200, { 'content-length': 10 });
      res.write('12345'); // and never the rest
    });
    const { port } = await startProxy({ ...simpleConfig([backend.address]), timeouts: { upstreamIdle: 150 } });
    // A small body is written in one go when complete, so the client may see nothing or a part of
    // it; what matters is that it never sees a complete response and is not left hanging.
    const started = Date.now();
    const outcome = await new Promise<string>((resolve) => {
      const req = http.get({ port, host: '127.0.0.1', agent: false }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve('complete'));
        res.on('error', () => resolve('cut'));
      });
      req.on('error', () => resolve('cut'));
    });
    expect(outcome).toBe('cut');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('cuts the client connection when the upstream crashes mid-response', async () => {
    const backend = await startBackend((_q, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
      setTimeout(() => res.socket!.destroy(), 30);
    });
    const { port } = await startProxy(simpleConfig([backend.address]));
    expect(await bodyOutcome(port)).toBe('cut partial');
  });

  it('aborts the upstream request when the client disconnects', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((r) => (upstreamClosed = r));
    const backend = await startBackend((req, res) => {
      res.writeHead(200);
      res.write('start');
      res.on('close', () => upstreamClosed());
      void req;
    });
    const { port } = await startProxy(simpleConfig([backend.address]));
    await new Promise<void>((resolve) => {
      const req = http.get({ port, host: '127.0.0.1', agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
    });
    await expect(Promise.race([closed.then(() => 'closed'), sleep(2000).then(() => 'still open')])).resolves.toBe('closed');
  });

  it('refuses CR/LF smuggled into a header with 400, before anything reaches the upstream', async () => {
    const backend = await startBackend();
    const { port } = await startProxy(simpleConfig([backend.address]));
    const raw = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: a\r\nX-Evil: a\rInjected: b\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    const raw2 = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: a\r\nX-Evil: a\nInjected: b\r\n\r\n');
    expect(raw2).toMatch(/^HTTP\/1\.1 400/);
    expect(backend.requests).toHaveLength(0);
  });

  it('answers 404 when no route matches and 400 for a non-origin-form target', async () => {
    const backend = await startBackend();
    const { port, url } = await startProxy({ ...simpleConfig([backend.address]), routes: [{ match: { host: ['only.test'] }, proxy: { upstream: 'app' } }] });
    expect((await request(url, { headers: { host: 'other.test' } })).status).toBe(404);
    expect(await rawRequest(port, 'OPTIONS * HTTP/1.1\r\nHost: only.test\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
  });

  it('redirects with the route template', async () => {
    const { url } = await startProxy({
      upstreams: { app: { servers: [{ address: '127.0.0.1:1' }] } },
      routes: [{ redirect: { location: 'https://$host$request_uri', status: 301 } }],
    });
    const reply = await request(`${url}/p?q=1`, { headers: { host: 'site.test' } });
    expect(reply.status).toBe(301);
    expect(reply.headers.location).toBe('https://site.test/p?q=1');
  });
});

function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let data = '';
    socket.on('data', (c) => {
      data += c;
      if (data.includes('\r\n\r\n')) socket.destroy();
    });
    socket.on('close', () => resolve(data));
    socket.on('error', reject);
    setTimeout(() => socket.destroy(), 2000).unref();
  });
}
