// Compression of a whole body in one call (a known length up to WHOLE_BODY_LIMIT): the client gets
// what the streaming path would send (same head, a body that decodes to the upstream's), without a
// zlib stream; pieces are gathered, and a failure before the end cuts the response as streaming does.
import type { ServerResponse } from 'node:http';
import zlib from 'node:zlib';
import { CompressHandler } from '../../proxy/src/compress/compress-handler';
import { liveEncoders, WHOLE_BODY_LIMIT } from '../../proxy/src/compress/encoder';
import type { ResolvedCompress } from '../../proxy/src/config/resolved';
import type { Downstream } from '../../proxy/src/downstream/downstream';
import { ProxyError } from '../../proxy/src/forward/proxy-errors';
import type { ResponseHandler } from '../../proxy/src/forward/response-handler';
import { request, startBackend, startProxy, type Reply } from '../helpers/servers';

const TEXT = Buffer.from('<p>Portico compresses a whole body in one call.</p>\n'.repeat(300)); // ~15 KB

/** A proxy compressing its one route; the upstream answers `/length` with Content-Length, `/chunked` without. */
async function compressingProxy(body: Buffer): Promise<string> {
  const backend = await startBackend((req, res: ServerResponse) => {
    const known = req.url === '/length';
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', ETag: '"v1"', ...(known ? { 'Content-Length': body.length } : {}) });
    if (known) res.end(body);
    else {
      res.write(body.subarray(0, 100)); // in pieces, no length: the streaming path
      res.end(body.subarray(100));
    }
  });
  const { url } = await startProxy({ upstreams: { app: { servers: [{ address: backend.address }] } }, routes: [{ proxy: { upstream: 'app' }, compress: {} }] });
  return url;
}

function decoded(reply: Reply): Buffer {
  const encoding = reply.headers['content-encoding'];
  if (encoding === 'gzip') return zlib.gunzipSync(reply.body);
  if (encoding === 'br') return zlib.brotliDecompressSync(reply.body);
  return reply.body;
}

/** The head without what differs between two answers anyway (Date) or is framing. */
function headOf(reply: Reply): Record<string, string | string[] | undefined> {
  const { date: _date, ...rest } = reply.headers;
  return rest;
}

describe('compression of a whole body in one call', () => {
  it.each(['gzip', 'br'])('sends %s that decodes to the body, with the head of the streaming path', async (encoding) => {
    const url = await compressingProxy(TEXT);
    const before = liveEncoders();
    const whole = await request(`${url}/length`, { headers: { 'Accept-Encoding': encoding } });
    expect(liveEncoders()).toBe(before); // no zlib stream was opened
    const streamed = await request(`${url}/chunked`, { headers: { 'Accept-Encoding': encoding } });
    expect(whole.status).toBe(200);
    expect(whole.headers['content-encoding']).toBe(encoding);
    expect(decoded(whole).equals(TEXT)).toBe(true);
    expect(decoded(streamed).equals(TEXT)).toBe(true);
    expect(headOf(whole)).toEqual(headOf(streamed));
    expect(whole.headers['transfer-encoding']).toBe('chunked');
    expect(whole.headers.etag).toBe('W/"v1"');
  });

  it('streams a body over the limit', async () => {
    const big = Buffer.alloc(WHOLE_BODY_LIMIT + 1, 'portico ');
    const url = await compressingProxy(big);
    const reply = await request(`${url}/length`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(reply.headers['content-encoding']).toBe('gzip');
    expect(decoded(reply).equals(big)).toBe(true);
  });
});

describe('the compression link with a whole body', () => {
  const config: ResolvedCompress = { types: new Set(['text/plain']), minLength: 0, encodings: ['gzip', 'br'], gzipLevel: 6, brotliLevel: 4 };

  class Recorder implements ResponseHandler {
    readonly calls: string[] = [];
    readonly data: Buffer[] = [];
    error: ProxyError | null = null;
    onHeaders(): boolean {
      this.calls.push('headers');
      return true;
    }
    onData(chunk: Buffer): boolean {
      this.calls.push('data');
      this.data.push(Buffer.from(chunk));
      return true;
    }
    onComplete(): void {
      this.calls.push('complete');
    }
    onError(error: ProxyError): void {
      this.calls.push('error');
      this.error = error;
    }
    onUpgrade(): null {
      return null;
    }
  }

  function link(recorder: Recorder, accept = 'gzip'): CompressHandler {
    const request = { method: 'GET', headers: { 'accept-encoding': accept } } as unknown as Downstream;
    return new CompressHandler(recorder, config, request);
  }

  it('gathers a body that comes in pieces and sends it compressed once, whole', () => {
    const recorder = new Recorder();
    const handler = link(recorder, 'br');
    const parts = [TEXT.subarray(0, 10), TEXT.subarray(10, 5000), TEXT.subarray(5000)];
    handler.onHeaders(200, ['Content-Type', 'text/plain', 'Content-Length', String(TEXT.length)], () => undefined);
    for (const part of parts) expect(handler.onData(Buffer.from(part))).toBe(true);
    handler.onComplete();
    expect(recorder.calls).toEqual(['headers', 'data', 'complete']);
    expect(zlib.brotliDecompressSync(recorder.data[0]).equals(TEXT)).toBe(true);
  });

  it('passes a failure before the body is whole on, with nothing compressed', () => {
    const recorder = new Recorder();
    const handler = link(recorder);
    handler.onHeaders(200, ['Content-Type', 'text/plain', 'Content-Length', String(TEXT.length)], () => undefined);
    handler.onData(Buffer.from(TEXT.subarray(0, 100)));
    handler.onError(new ProxyError('UPSTREAM_RESET', 'upstream cut'));
    handler.onComplete();
    expect(recorder.calls).toEqual(['headers', 'error']);
  });

  it('compresses an empty body with a length of 0 as the stream would: a valid empty member', () => {
    const recorder = new Recorder();
    const handler = link(recorder);
    handler.onHeaders(200, ['Content-Type', 'text/plain', 'Content-Length', '0'], () => undefined);
    handler.onComplete();
    expect(recorder.calls).toEqual(['headers', 'data', 'complete']);
    expect(zlib.gunzipSync(recorder.data[0]).length).toBe(0);
  });
});
