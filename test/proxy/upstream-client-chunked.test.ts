// Chunked request and response bodies of several MiB, many chunks each, through the proxy to an
// upstream (or client) that reads slowly: every framing byte must survive backpressure.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { simpleConfig, startBackend, startProxy } from '../helpers/servers';

jest.setTimeout(20_000);

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** PUTs `pieces` without a Content-Length (so chunked), honouring the client socket's backpressure. */
function chunkedPut(port: number, pieces: Buffer[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ port, host: '127.0.0.1', method: 'PUT', path: '/upload', agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    let i = 0;
    const pump = () => {
      while (i < pieces.length) if (!req.write(pieces[i++])) return void req.once('drain', pump);
      req.end();
    };
    pump();
  });
}

describe('upstream client: chunked bodies under backpressure', () => {
  it('forwards a chunked 8 MiB upload in 512 chunks byte-identical to an upstream that pauses its reads', async () => {
    const pieces = Array.from({ length: 512 }, (_v, i) => randomBytes(16 * 1024 + (i % 7)));
    const sent = Buffer.concat(pieces);
    const backend = await startBackend((req, res) => {
      // Reads nothing for 500 ms, then 20 ms of stall after every MiB: the proxy's writes back up.
      const chunks: Buffer[] = [];
      let sinceStall = 0;
      req.pause();
      setTimeout(() => req.resume(), 500);
      req.on('data', (c: Buffer) => {
        chunks.push(c);
        sinceStall += c.length;
        if (sinceStall >= MiB) {
          sinceStall = 0;
          req.pause();
          setTimeout(() => req.resume(), 20);
        }
      });
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        res.end(`${req.headers['transfer-encoding']} ${body.length} ${sha(body)}`);
      });
    }, { readBody: false });
    const { port } = await startProxy(simpleConfig([backend.address]));
    const reply = await chunkedPut(port, pieces);
    expect(reply).toEqual({ status: 200, body: `chunked ${sent.length} ${sha(sent)}` });
  });

  it('forwards a chunked 8 MiB download in many chunks byte-identical to a client that pauses its reads', async () => {
    const pieces = Array.from({ length: 512 }, (_v, i) => randomBytes(16 * 1024 + (i % 5)));
    const whole = Buffer.concat(pieces);
    const backend = await startBackend((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }); // no length: chunked
      let i = 0;
      const pump = () => {
        while (i < pieces.length) if (!res.write(pieces[i++])) return void res.once('drain', pump);
        res.end();
      };
      pump();
    });
    const { port } = await startProxy(simpleConfig([backend.address]));
    const received = await new Promise<{ te: string | undefined; body: Buffer }>((resolve, reject) => {
      http.get({ port, host: '127.0.0.1', agent: false }, (res) => {
        const chunks: Buffer[] = [];
        let got = 0;
        res.pause();
        setTimeout(() => res.resume(), 300);
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          got += c.length;
          if (got >= MiB) {
            got = 0;
            res.pause();
            setTimeout(() => res.resume(), 20);
          }
        });
        res.on('end', () => resolve({ te: res.headers['transfer-encoding'], body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
    });
    expect([received.te, received.body.length, sha(received.body)]).toEqual(['chunked', whole.length, sha(whole)]);
  });
});
