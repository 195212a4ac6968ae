// Clients and a proxy for TLS / HTTP/2 tests: curl, openssl s_client, node:http2.
import { execFile } from 'node:child_process';
import http2, { type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import type { ProxyConfig } from '../../proxy/src/config/schema';
import { registerCleanup, startProxy, type RunningProxy } from './servers';

type ListenerTls = NonNullable<ProxyConfig['listeners'][number]['tls']>;

/** The proxy with one TLS listener on 127.0.0.1 (port 0). */
export async function startTlsProxy(config: Omit<ProxyConfig, 'listeners'>, tls: ListenerTls): Promise<RunningProxy> {
  const running = await startProxy({ ...config, listeners: [{ port: 0, host: '127.0.0.1', tls }] });
  return { ...running, url: `https://127.0.0.1:${running.port}` };
}

export interface ProgramResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end (bounded by `timeout`), never rejecting. */
export function run(program: string, args: string[], opts: { input?: string; timeout?: number } = {}): Promise<ProgramResult> {
  return new Promise((resolve) => {
    const child = execFile(program, args, { timeout: opts.timeout ?? 10_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? ((err as unknown as { code: number }).code) : 1;
      resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
    });
    child.stdin?.end(opts.input ?? '');
  });
}

/** curl -k with `args`; prints the head (-D -) before the body. */
export function curl(args: string[]): Promise<ProgramResult> {
  return run('curl', ['-sk', '-D', '-', '--max-time', '5', ...args]);
}

/** openssl s_client against 127.0.0.1:port; the handshake's report on stdout. */
export function sClient(port: number, args: string[]): Promise<ProgramResult> {
  return run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, ...args], { input: '', timeout: 5000 });
}

/** A node:http2 session to the proxy (self-signed certificates accepted), closed after the test. */
export function h2connect(port: number, opts: { servername?: string; settings?: http2.Settings } = {}): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false, servername: opts.servername ?? 'localhost', settings: opts.settings });
    session.once('connect', () => resolve(session));
    session.once('error', reject);
    registerCleanup(async () => session.destroy());
  });
}

export interface H2Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request on `session`; the body read whole. */
export function h2request(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body?: Buffer | string): Promise<H2Reply> {
  return new Promise((resolve, reject) => {
    const req = session.request(headers, { endStream: body === undefined });
    const chunks: Buffer[] = [];
    let head: IncomingHttpHeaders = {};
    req.on('response', (h) => (head = h));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve({ status: Number(head[':status']), headers: head, body: Buffer.concat(chunks) }));
    req.on('error', reject);
    if (body !== undefined) req.end(body);
  });
}
