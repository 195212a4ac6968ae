// Helpers for admin API tests: a proxy with an admin listener on 127.0.0.1 port 0, one call to it,
// reloads that keep the traffic port, and a bounded wait for a status to change.
import http from 'node:http';
import { resolveConfig } from '../../proxy/src/config/load';
import type { ProxyConfig } from '../../proxy/src/config/schema';
import { sleep, startProxy, type RunningProxy } from '../helpers/servers';

export const TOKEN = 'test-admin-token-0123456789abcdef';

export type AdminConfig = NonNullable<ProxyConfig['admin']>;
type Config = Omit<ProxyConfig, 'listeners'>;

export interface AdminProxy extends RunningProxy {
  /** http://127.0.0.1:PORT of the admin listener. */
  admin: string;
}

export async function startWithAdmin(config: Config, admin: AdminConfig = { listen: '127.0.0.1:0' }): Promise<AdminProxy> {
  const running = await startProxy({ ...config, admin });
  return { ...running, admin: adminUrl(running) };
}

export function adminUrl({ proxy }: RunningProxy): string {
  const a = proxy.adminAddress();
  if (a === null) throw new Error('no admin listener');
  return `http://127.0.0.1:${a.port}`;
}

/** Reloads with `config`, keeping the traffic listener on its port. */
export function reload(running: RunningProxy, config: Config & { admin?: AdminConfig }): Promise<void> {
  const listeners = [{ port: running.port, host: '127.0.0.1' }];
  return running.proxy.reload(resolveConfig({ listeners, log: { level: 'silent' }, ...config }, 'test'));
}

export interface AdminReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The parsed body when it is JSON, else undefined. */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface CallOptions {
  method?: string;
  token?: string;
  /** Sent as application/json unless `headers` say otherwise. */
  json?: unknown;
  body?: string | Buffer;
  headers?: http.OutgoingHttpHeaders;
}

export function call(base: string, path: string, opts: CallOptions = {}): Promise<AdminReply> {
  const headers: http.OutgoingHttpHeaders = {};
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  let body = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] = 'application/json';
  }
  Object.assign(headers, opts.headers);
  return new Promise((resolve, reject) => {
    const req = http.request(base + path, { method: opts.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        const isJson = /^application\/json/.test(res.headers['content-type'] ?? '');
        resolve({ status: res.statusCode!, headers: res.headers, text, json: isJson ? JSON.parse(text) : undefined });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Polls `read` every few ms until `done` holds (at most `timeoutMs`); returns the last value. */
export async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 2_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < end) {
    await sleep(5);
    value = await read();
  }
  return value;
}
