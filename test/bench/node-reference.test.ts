// The Node floor targets (bench/targets/node-reference.ts): real processes started as the bench
// starts them, checked by the bench's own check.ts and byte for byte against the backend's bodies.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { checkTarget } from '../../bench/check';
import { FIXED_RESPONSES } from '../../bench/content/fixed-responses';
import { textBody } from '../../bench/content/text-body';
import { loadKindOf } from '../../bench/load-kind';
import { stopAll } from '../../bench/procs';
import { readSettings, type TargetName } from '../../bench/settings';
import { TARGETS } from '../../bench/targets';
import type { RunningTarget } from '../../bench/targets/types';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-node-reference-'));
const repoRoot = path.resolve(__dirname, '../..');
const settings = { ...readSettings({}), proxyCpu: `0-${os.availableParallelism() - 1}` };
const targets = new Map<TargetName, RunningTarget>();

beforeAll(async () => {
  const names = ['node-http', 'node-https', 'node-h2'] as const;
  const started = await Promise.all(names.map((name) => TARGETS[name]({ repoRoot, dir, backendPort: 0, settings })));
  for (const t of started) targets.set(t.name, t);
}, 30_000);

afterAll(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

const port = (name: TargetName) => targets.get(name)!.port;

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: Buffer;
}

function collect(res: http.IncomingMessage, resolve: (a: Answer) => void, reject: (e: Error) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
  res.on('error', reject);
}

function h1Get(name: TargetName, urlPath: string): Promise<Answer & { protocol?: string | null }> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port: port(name), path: urlPath, agent: false };
    const req =
      name === 'node-https'
        ? https.get({ ...options, rejectUnauthorized: false }, (res) => collect(res, (a) => resolve({ ...a, protocol: (res.socket as tls.TLSSocket).getProtocol() }), reject))
        : http.get(options, (res) => collect(res, resolve, reject));
    req.on('error', reject);
  });
}

function h2Get(urlPath: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`https://127.0.0.1:${port('node-h2')}`, { rejectUnauthorized: false });
    session.on('error', reject);
    const req = session.request({ ':path': urlPath });
    const chunks: Buffer[] = [];
    let headers: Record<string, unknown> = {};
    req.on('response', (h) => (headers = h));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      session.close();
      resolve({ status: Number(headers[':status']), headers, body: Buffer.concat(chunks) });
    });
    req.on('error', reject);
  });
}

describe('bench Node floor targets', () => {
  it('are loaded like their nginx pairs: node:http by wrk, node:https by h2load --h1, node:http2 by h2load over h2', () => {
    expect([loadKindOf('node-http'), loadKindOf('node-https'), loadKindOf('node-h2')]).toEqual(['wrk', 'h2load-h1', 'h2load-h2']);
    expect(loadKindOf('nginx-https')).toBe(loadKindOf('node-https'));
    expect(loadKindOf('nginx-h2')).toBe(loadKindOf('node-h2'));
  });

  it.each(['node-http', 'node-https', 'node-h2'] as const)('%s passes the bench check for both bodies, in its protocol', async (name) => {
    for (const body of ['1k', '64k'] as const) await checkTarget(targets.get(name)!, body);
  });

  it.each(['node-http', 'node-https'] as const)('%s answers the backend bytes and headers, 404 elsewhere', async (name) => {
    for (const [urlPath, fixed] of FIXED_RESPONSES) {
      const a = await h1Get(name, urlPath);
      expect(a.status).toBe(200);
      expect(a.headers['content-type']).toBe('text/plain');
      expect(a.headers['content-length']).toBe(String(fixed.body.length));
      expect(a.body.equals(fixed.body)).toBe(true);
    }
    expect((await h1Get(name, '/nope')).status).toBe(404);
  });

  it('node-h2 answers the backend bytes and headers over h2 (stream API), 404 elsewhere', async () => {
    const a = await h2Get('/64k');
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toBe('text/plain');
    expect(a.headers['content-length']).toBe('65536');
    expect(a.body.equals(textBody(65536))).toBe(true);
    expect((await h2Get('/nope')).status).toBe(404);
  });

  it('the bodies are the backend bodies: the bench text of each size', () => {
    expect([...FIXED_RESPONSES.keys()]).toEqual(['/1k', '/64k']);
    expect(FIXED_RESPONSES.get('/1k')!.body.equals(textBody(1024))).toBe(true);
  });

  it('node-https speaks TLS 1.3 by default and refuses a CBC suite over TLS 1.2 (Portico\'s TLS settings)', async () => {
    expect((await h1Get('node-https', '/1k')).protocol).toBe('TLSv1.3');
    const refused = new Promise<string>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port: port('node-https'), rejectUnauthorized: false, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA' });
      socket.on('secureConnect', () => (socket.destroy(), resolve('connected')));
      socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    expect(await refused).toMatch(/HANDSHAKE_FAILURE|ALERT/);
  });

  it('node-h2 offers h2 only (allowHTTP1 false): an HTTPS/1.1 client is turned away with node:http2\'s 403', async () => {
    const result = await new Promise<string>((resolve) => {
      const req = https.get({ host: '127.0.0.1', port: port('node-h2'), path: '/1k', agent: false, rejectUnauthorized: false }, (res) => {
        res.resume();
        resolve(`answered ${res.statusCode}`);
      });
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    expect(result).toBe('answered 403');
  });
});
