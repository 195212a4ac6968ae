// Helpers for the upstream client tests (test/proxy/upstream-client-*.test.ts): raw TCP upstreams
// that misbehave on purpose, and a recording handler for tests that drive H1Pool directly.
import net, { type AddressInfo, type Socket } from 'node:net';
import { H1Pool, type H1PoolOptions } from '../../proxy/src/upstream/h1/h1-pool';
import type { UpstreamHandler, UpstreamRequest } from '../../proxy/src/upstream/h1/upstream-handler';
import { registerCleanup } from '../helpers/servers';

export interface RawServer {
  host: string;
  port: number;
  address: string;
  connections: Socket[];
  /** Every request head read, in order of arrival (all connections). */
  heads: string[];
}

/** A TCP server that calls `onRequest` for each request head it reads (bodies are ignored). */
export async function rawServer(onRequest: (socket: Socket, head: string, index: number) => void): Promise<RawServer> {
  const connections: Socket[] = [];
  const heads: string[] = [];
  const server = net.createServer((socket) => {
    connections.push(socket);
    let buffered = '';
    let index = 0;
    socket.on('data', (d) => {
      buffered += d.toString('latin1');
      let end = buffered.indexOf('\r\n\r\n');
      while (end !== -1) {
        const head = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        heads.push(head);
        onRequest(socket, head, index++);
        end = buffered.indexOf('\r\n\r\n');
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  registerCleanup(async () => {
    connections.forEach((c) => c.destroy());
    await new Promise((r) => server.close(r));
  });
  const port = (server.address() as AddressInfo).port;
  return { host: '127.0.0.1', port, address: `127.0.0.1:${port}`, connections, heads };
}

export const ok = (body: string, extra = '') => `HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n${extra}\r\n${body}`;

/** An H1Pool to `host:port`, destroyed after the test. */
export function pool(host: string, port: number, options: Partial<H1PoolOptions> = {}): H1Pool {
  const p = new H1Pool(host, port, { connectTimeout: 2000, keepAliveTimeout: 10_000, ...options });
  registerCleanup(() => p.destroy());
  return p;
}

/** A GET with no body and generous timeouts; override what the test is about. */
export function get(overrides: Partial<UpstreamRequest> = {}): UpstreamRequest {
  return {
    method: 'GET',
    path: '/',
    headers: ['host', 'upstream.test'],
    body: null,
    headersTimeout: 5000,
    bodyTimeout: 5000,
    sendTimeout: 5000,
    replayable: true,
    upgrade: null,
    ...overrides,
  };
}

export interface Outcome {
  kind: 'complete' | 'error' | 'upgrade';
  status: number;
  headers: string[];
  body: Buffer;
  error: (Error & { code?: string }) | null;
  socket: Socket | null;
  head: Buffer | null;
}

/** A handler that records one exchange; `done` settles on onComplete, onError or onUpgrade. */
export class Recorder implements UpstreamHandler {
  readonly done: Promise<Outcome>;
  abort: ((err: Error) => void) | null = null;
  private settle!: (o: Outcome) => void;
  private status = 0;
  private headers: string[] = [];
  private chunks: Buffer[] = [];

  constructor() {
    this.done = new Promise((r) => (this.settle = r));
  }

  onConnect(abort: (err: Error) => void): void {
    this.abort = abort;
  }

  onHeaders(status: number, headers: string[]): boolean {
    this.status = status;
    this.headers = headers;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.chunks.push(Buffer.from(chunk));
    return true;
  }

  onComplete(): void {
    this.finish('complete', null);
  }

  onError(err: Error): void {
    this.finish('error', err);
  }

  onUpgrade(status: number, headers: string[], socket: Socket, head: Buffer): void {
    this.status = status;
    this.headers = headers;
    this.settle({ kind: 'upgrade', status, headers, body: Buffer.alloc(0), error: null, socket, head: Buffer.from(head) });
  }

  private finish(kind: Outcome['kind'], error: Error | null): void {
    this.settle({ kind, status: this.status, headers: this.headers, body: Buffer.concat(this.chunks), error, socket: null, head: null });
  }
}

/** Waits until `condition` holds, checking every 5 ms, for at most `ms` (then returns false). */
export async function until(condition: () => boolean, ms = 1000): Promise<boolean> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited >= ms) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}
