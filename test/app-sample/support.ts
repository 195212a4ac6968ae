// Shared by the app-sample suites: start the app in-process on 127.0.0.1:0, and a tiny HTTP client
// that exposes what the tests look at (status, headers, cookies, body) with a fresh connection
// per request unless an agent is given.
import http from 'node:http';
import path from 'node:path';
import { createApp, type AppOptions, type SampleApp } from '../../app-sample/src/app';
import { silentLog } from '../../app-sample/src/log';

export const PUBLIC_DIR = path.join(__dirname, '..', '..', 'app-sample', 'public');

export interface Running {
  app: SampleApp;
  url: string;
  port: number;
}

export async function startApp(options: Partial<AppOptions> = {}): Promise<Running> {
  const app = createApp({ instanceId: 'test-1', publicDir: PUBLIC_DIR, log: silentLog, ...options });
  const { port } = await app.listen(0, '127.0.0.1');
  return { app, port, url: `http://127.0.0.1:${port}` };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

export function request(url: string, init: { method?: string; headers?: Record<string, string>; agent?: http.Agent } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers, agent: init.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, body, json: () => JSON.parse(body) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** "name=value" of the session cookie from a Set-Cookie header, for the next request's Cookie. */
export function cookieOf(reply: Reply): string {
  const set = reply.headers['set-cookie']?.[0];
  if (!set) throw new Error(`no Set-Cookie in reply (status ${reply.status})`);
  return set.split(';')[0];
}
