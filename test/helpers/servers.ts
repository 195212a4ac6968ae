// Real servers on 127.0.0.1 port 0 for proxy tests, each closed automatically after its test.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolveConfig } from '../../proxy/src/config/load';
import type { ProxyConfig } from '../../proxy/src/config/schema';
import { createLogger } from '../../proxy/src/log';
import { PorticoProxy } from '../../proxy/src/proxy';

const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  const pending = cleanups.splice(0).reverse();
  for (const cleanup of pending) await cleanup().catch(() => undefined);
});

export interface Backend {
  port: number;
  address: string;
  server: http.Server;
  /** Requests seen, in order: method, url, headers, the full body. */
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders; rawHeaders: string[]; body: Buffer }[];
  close(): Promise<void>;
}

export type BackendHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

/** An upstream that records each request (with its body, read fully) and answers with `handler`. */
export async function startBackend(handler: BackendHandler = (_q, res) => res.end('ok'), opts: { readBody?: boolean } = {}): Promise<Backend> {
  const requests: Backend['requests'] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    if (opts.readBody === false) {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.alloc(0) });
      handler(req, res, Buffer.alloc(0));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, rawHeaders: req.rawHeaders, body });
      handler(req, res, body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
  cleanups.push(close);
  return { port, address: `127.0.0.1:${port}`, server, requests, close };
}

/** A port that refuses connections (bound, then closed). */
export async function refusedAddress(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return `127.0.0.1:${port}`;
}

export interface RunningProxy {
  proxy: PorticoProxy;
  port: number;
  url: string;
}

/** Starts the proxy in-process on a free port with `config` (listeners are filled in). */
export async function startProxy(config: Omit<ProxyConfig, 'listeners'> & { listeners?: ProxyConfig['listeners'] }): Promise<RunningProxy> {
  const resolved = resolveConfig({ listeners: [{ port: 0, host: '127.0.0.1' }], log: { level: 'silent' }, ...config }, 'test');
  const proxy = await PorticoProxy.start(resolved, { logger: createLogger('silent'), shutdownGraceMs: 100 });
  cleanups.push(() => proxy.close(100));
  const port = proxy.addresses()[0].port;
  return { proxy, port, url: `http://127.0.0.1:${port}` };
}

/** One upstream `app` with these server addresses (or full server objects), everything routed to it. */
export function simpleConfig(servers: (string | ProxyConfig['upstreams'][string]['servers'][number])[], upstream: Partial<ProxyConfig['upstreams'][string]> = {}): Omit<ProxyConfig, 'listeners'> {
  return {
    upstreams: { app: { ...upstream, servers: servers.map((s) => (typeof s === 'string' ? { address: s } : s)) } },
    routes: [{ proxy: { upstream: 'app' } }],
  };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

/** One request with a fresh connection (no agent reuse between tests). */
export function request(url: string, opts: http.RequestOptions & { body?: Buffer | string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent: false, ...opts }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** GETs `/` and tells how the body ended: "complete BODY", or "cut BODY" when the connection broke. */
export function bodyOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    http.get({ port, host: '127.0.0.1', agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(`complete ${body}`));
      res.on('error', () => resolve(`cut ${body}`));
    });
  });
}

export function registerCleanup(fn: () => Promise<unknown>): void {
  cleanups.push(fn);
}

/**
 * Unref'd: a sleep that lost a Promise.race must not keep jest running after the last test (a
 * running test always has jest's own timeout timer, so an awaited sleep still ends).
 */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());
