// An upstream answer that repeats a field node:http2 takes once only (Content-Type, ETag, Date...)
// reaches an h2 client with the first value instead of a 502, as HTTP/1.1 clients get it through;
// a repeated Content-Length stays an upstream error (502) for both, as in NGINX 1.23+.
import { rawUpstream } from '../helpers/raw-upstream';
import { simpleConfig } from '../helpers/servers';
import { certDir, filesOf, makeCertificate } from '../helpers/tls-certs';
import { curl, h2connect, h2request, startTlsProxy } from '../helpers/tls-clients';

/** A raw upstream answering every connection's request with `lines` (CRLF added) and `body`. */
async function answering(lines: string[], body: string) {
  return rawUpstream((socket) => socket.end(`${['HTTP/1.1 200 OK', ...lines].join('\r\n')}\r\n\r\n${body}`));
}

async function proxyTo(address: string) {
  const cert = makeCertificate(certDir(), 'c', ['localhost']);
  return startTlsProxy(simpleConfig([address]), { certificates: [filesOf(cert)] });
}

describe('HTTP/2 answers with repeated single-value fields', () => {
  it('passes two Content-Types, ETags and Dates with their first values, and keeps every value of a list field', async () => {
    const upstream = await answering(
      [
        'content-type: text/plain',
        'Content-Type: text/html',
        'etag: "a"',
        'ETag: "b"',
        'date: Thu, 03 Dec 2026 10:00:00 GMT',
        'date: Thu, 03 Dec 2026 11:00:00 GMT',
        'x-many: 1',
        'x-many: 2',
        'content-length: 5',
      ],
      'hello',
    );
    const proxy = await proxyTo(upstream.address);
    const reply = await h2request(await h2connect(proxy.port), { ':path': '/dup' });
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe('hello');
    expect(reply.headers['content-type']).toBe('text/plain');
    expect(reply.headers.etag).toBe('"a"');
    expect(reply.headers.date).toBe('Thu, 03 Dec 2026 10:00:00 GMT');
    expect(reply.headers['x-many']).toBe('1, 2');
    const h1 = await curl(['--http1.1', `${proxy.url}/dup`]);
    expect(h1.stdout).toMatch(/^HTTP\/1\.1 200/);
    expect(h1.stdout).toMatch(/\r\nhello$/);
  });

  it('answers 502 over h2 and HTTP/1.1 when the upstream repeats Content-Length, equal or not', async () => {
    for (const second of ['5', '6']) {
      const upstream = await answering(['content-type: text/plain', 'content-length: 5', `content-length: ${second}`], 'hello!');
      const proxy = await proxyTo(upstream.address);
      expect((await h2request(await h2connect(proxy.port), { ':path': '/twice' })).status).toBe(502);
      expect((await curl(['--http1.1', `${proxy.url}/twice`])).stdout).toMatch(/^HTTP\/1\.1 502/);
    }
  });
});
