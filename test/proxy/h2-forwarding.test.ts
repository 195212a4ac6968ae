import { constants } from 'node:http2';
import { refusedAddress, simpleConfig, startBackend } from '../helpers/servers';
import { certDir, filesOf, makeCertificate } from '../helpers/tls-certs';
import { h2connect, h2request, startTlsProxy } from '../helpers/tls-clients';

async function proxyTo(servers: string[]) {
  const dir = certDir();
  const cert = makeCertificate(dir, 'c', ['localhost']);
  return startTlsProxy(simpleConfig(servers), { certificates: [filesOf(cert)] });
}

describe('HTTP/2 to HTTP/1.1 forwarding', () => {
  it('turns :authority into Host, joins cookies, and forwards no pseudo-header or connection-specific field', async () => {
    const backend = await startBackend();
    const { port } = await proxyTo([backend.address]);
    const session = await h2connect(port);
    const reply = await h2request(session, { ':path': '/p?q=1', ':authority': 'app.example.com', cookie: ['a=1', 'b=2'], te: 'trailers', 'x-custom': 'v' });
    expect(reply.status).toBe(200);
    const seen = backend.requests[0];
    expect(seen.url).toBe('/p?q=1');
    expect(seen.headers.host).toBe('app.example.com');
    expect(seen.headers.cookie).toBe('a=1; b=2');
    expect(seen.headers['x-custom']).toBe('v');
    expect(seen.headers['x-forwarded-proto']).toBe('https');
    expect(seen.headers['x-forwarded-host']).toBe('app.example.com');
    const names = seen.rawHeaders.filter((_v, i) => i % 2 === 0).map((n) => n.toLowerCase());
    expect(names.filter((n) => n.startsWith(':'))).toEqual([]);
    expect(names).not.toContain('te');
    expect(names).not.toContain('connection');
    expect(names.filter((n) => n === 'host' || n === 'cookie')).toEqual(['host', 'cookie']); // one of each
  });

  it('refuses a Host that names another authority than :authority (RFC 9113 §8.3.1)', async () => {
    const backend = await startBackend();
    const { port } = await proxyTo([backend.address]);
    const session = await h2connect(port);
    expect((await h2request(session, { ':path': '/', ':authority': 'a.example.com', host: 'b.example.com' })).status).toBe(400);
    expect(backend.requests).toHaveLength(0);
  });

  it('sends no hop-by-hop header of the upstream to the client, and keeps repeated Set-Cookie fields apart', async () => {
    const backend = await startBackend((_q, res) => {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.setHeader('connection', 'keep-alive, x-private');
      res.setHeader('keep-alive', 'timeout=5');
      res.setHeader('x-private', 'hidden');
      res.setHeader('x-kept', 'yes');
      res.write('chunked ');
      res.end('body');
    });
    const { port } = await proxyTo([backend.address]);
    const session = await h2connect(port);
    const reply = await h2request(session, { ':path': '/' });
    expect(reply.body.toString()).toBe('chunked body');
    expect(reply.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(reply.headers['x-kept']).toBe('yes');
    for (const name of ['connection', 'keep-alive', 'transfer-encoding', 'x-private']) expect(reply.headers[name]).toBeUndefined();
  });

  it('streams a request body without Content-Length to the upstream chunked, intact, with backpressure', async () => {
    const backend = await startBackend((q, res, body) => res.end(`${q.headers['transfer-encoding']} ${body.length}`));
    const { port } = await proxyTo([backend.address]);
    const session = await h2connect(port);
    const body = Buffer.alloc(3 * 1024 * 1024, 'x'); // above the 64 KiB initial windows on both sides
    const reply = await h2request(session, { ':method': 'POST', ':path': '/up' }, body);
    expect(reply.body.toString()).toBe(`chunked ${body.length}`);
    expect(backend.requests[0].body.equals(body)).toBe(true);
  });

  it('passes a Content-Length body as is, and answers HEAD and 304 without a body', async () => {
    const backend = await startBackend((q, res, body) => {
      if (q.url === '/304') {
        res.statusCode = 304;
        res.end();
      } else res.end(`len=${q.headers['content-length']} te=${q.headers['transfer-encoding']} ${body}`);
    });
    const { port } = await proxyTo([backend.address]);
    const session = await h2connect(port);
    expect((await h2request(session, { ':method': 'PUT', ':path': '/', 'content-length': '5' }, 'hello')).body.toString()).toBe('len=5 te=undefined hello');
    const head = await h2request(session, { ':method': 'HEAD', ':path': '/' });
    expect([head.status, head.body.length]).toEqual([200, 0]);
    const notModified = await h2request(session, { ':path': '/304' });
    expect([notModified.status, notModified.body.length]).toEqual([304, 0]);
  });

  it('retries on the next server and answers 502 as JSON when none answers, like HTTP/1.1', async () => {
    const backend = await startBackend((_q, res) => res.end('second'));
    const dead = await refusedAddress();
    const { port } = await proxyTo([dead, backend.address]);
    const session = await h2connect(port);
    const answers = await Promise.all([1, 2, 3, 4].map(() => h2request(session, { ':path': '/' })));
    expect(answers.map((a) => a.body.toString())).toEqual(['second', 'second', 'second', 'second']);
    const { port: port2 } = await proxyTo([await refusedAddress()]);
    const failed = await h2request(await h2connect(port2), { ':path': '/', accept: 'application/json' });
    expect(failed.status).toBe(502);
    expect(JSON.parse(failed.body.toString())).toMatchObject({ status: 502 });
  });

  it('a reset stream leaves its session and sibling streams intact, and the upstream request is abandoned', async () => {
    let abandoned = 0;
    const backend = await startBackend((q, res) => {
      if (q.url === '/slow') {
        res.on('close', () => abandoned++);
        res.write('partial'); // never ends by itself
        return;
      }
      setTimeout(() => res.end(`done ${q.url}`), 50);
    });
    const { port } = await proxyTo([backend.address]);
    const session = await h2connect(port);
    const sibling = h2request(session, { ':path': '/sibling' });
    const slow = session.request({ ':path': '/slow' });
    slow.on('error', () => undefined);
    await new Promise((resolve) => slow.once('data', resolve));
    slow.close(constants.NGHTTP2_CANCEL);
    expect((await sibling).body.toString()).toBe('done /sibling');
    expect((await h2request(session, { ':path': '/after' })).body.toString()).toBe('done /after');
    for (let i = 0; abandoned === 0 && i < 100; i++) await new Promise((r) => setTimeout(r, 10));
    expect(abandoned).toBe(1);
    expect(session.destroyed).toBe(false);
  });

  it('resets only the stream when the upstream dies after the head', async () => {
    const backend = await startBackend((q, res) => {
      if (q.url === '/die') {
        res.writeHead(200, { 'content-length': '100' });
        res.write('part');
        setTimeout(() => res.socket?.destroy(), 20);
      } else res.end('fine');
    });
    const { port } = await proxyTo([backend.address]);
    const session = await h2connect(port);
    await expect(h2request(session, { ':path': '/die' })).rejects.toThrow(/NGHTTP2_INTERNAL_ERROR|stream/i);
    expect((await h2request(session, { ':path': '/ok' })).body.toString()).toBe('fine');
  });
});
