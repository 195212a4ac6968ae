// POSTs one OCSP request (RFC 6960 Appendix A.1) and reads a bounded answer within a total deadline.
import http from 'node:http';
import https from 'node:https';

/** OCSP answers are a few KB; anything this large is not one. */
const MAX_RESPONSE = 64 * 1024;

export type OcspFetch = (url: string, body: Buffer, timeoutMs: number) => Promise<Buffer>;

/**
 * `timeoutMs` bounds the whole fetch (connect, request, answer), not the gap between two bytes:
 * a responder that drips its answer must not put the next refresh off indefinitely.
 */
export const postOcsp: OcspFetch = (url, body, timeoutMs) =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const req = client.request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response', 'content-length': body.length },
        agent: false,
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          done(new Error(`OCSP responder ${url} answered HTTP ${res.statusCode}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE) req.destroy(new Error(`OCSP response from ${url} is over ${MAX_RESPONSE} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () => done(null, Buffer.concat(chunks)));
        res.on('error', done);
      },
    );
    const deadline = setTimeout(() => req.destroy(new Error(`OCSP responder ${url} did not answer within ${timeoutMs} ms`)), timeoutMs);
    deadline.unref();
    function done(err: Error | null, der?: Buffer): void {
      clearTimeout(deadline);
      if (err !== null) {
        req.destroy();
        reject(err);
      } else resolve(der!);
    }
    req.on('error', done);
    req.end(body);
  });
