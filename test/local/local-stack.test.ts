// `npm start`'s stack for real: the built bundles, processes on 127.0.0.1, driven through the proxy.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import zlib from 'node:zlib';
import { io } from 'socket.io-client';
import { startLocalStack } from '../../infra/local/stack';
import { request, sleep } from '../helpers/servers';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '..', '..');
const ENTRY = join(ROOT, 'dist', 'local-stack.js');

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
});

/** Free ports for the proxy (http, https), its admin listener and `count` consecutive app ports. */
async function freePorts(count: number): Promise<{ http: number; https: number; admin: number; app: number }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const ports = Array.from({ length: 3 + count }, (_, i) => base + i);
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return { http: base, https: base + 1, admin: base + 2, app: base + 3 };
  }
  throw new Error('no free ports');
}

/** Each run's local CA lives in its own PORTICO_HOME: the user's own CA is never touched. */
const PORTICO_HOME = mkdtempSync(join(tmpdir(), 'portico-home-'));
const CA_DIR = join(PORTICO_HOME, 'local-ca');
afterAll(() => rmSync(PORTICO_HOME, { recursive: true, force: true }));

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer().once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

interface Stack {
  child: ChildProcess;
  url: string;
  dashboardUrl: string;
  output: () => string;
  exited: Promise<number | null>;
}

async function startStack(args: string[]): Promise<Stack> {
  const child = spawn(process.execPath, [ENTRY, ...args], { cwd: ROOT, env: { ...process.env, PORTICO_HOME } });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const deadline = Date.now() + 30_000;
  while (!out.includes('Ctrl-C stops everything')) {
    if (child.exitCode !== null) throw new Error(`stack exited ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) throw new Error(`stack not ready:\n${out}`);
    await sleep(50);
  }
  const port = Number(/proxy +http:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]);
  const dashboardUrl = /dashboard +(http:\/\/\S+)/.exec(out)?.[1] ?? '(none printed)';
  return { child, url: `http://127.0.0.1:${port}`, dashboardUrl, output: () => out, exited };
}

function childPids(parent: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(parent)]).toString().trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

describe('npm start (local stack)', () => {
  let stack: Stack;
  let pids: number[];
  let ports: { http: number; https: number; admin: number; app: number };

  beforeAll(async () => {
    ports = await freePorts(3);
    stack = await startStack([
      '--instances', '3', '--http-port', String(ports.http), '--https-port', String(ports.https), '--app-port', String(ports.app), '--admin-port', String(ports.admin),
    ]);
    pids = childPids(stack.child.pid!);
  });

  afterAll(async () => {
    if (stack.child.exitCode === null) stack.child.kill('SIGKILL');
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('prints the URLs and every instance with its health', () => {
    const out = stack.output();
    expect(out).toMatch(/Portico is running: 3 app instances behind the proxy/);
    expect(out).toMatch(/open +http:\/\/localhost:\d+\//);
    for (const id of ['app-1', 'app-2', 'app-3']) expect(out).toMatch(new RegExp(`${id} +http://127\\.0\\.0\\.1:\\d+ +ready`));
    expect(pids).toHaveLength(4);
  });

  it('prints the https URL, the local CA it made and, this once, how to trust it', () => {
    const out = stack.output();
    const caFile = join(CA_DIR, 'ca.pem');
    expect(out).toContain(`open      https://localhost:${ports.https}/`);
    expect(out).toContain(`local CA  ${caFile}\n`);
    expect(out).toContain(`certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n portico-local -i ${caFile}`);
    expect(out).toContain(`security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${caFile}`);
    expect(out).toContain(`certutil -user -addstore Root ${caFile}`);
    expect(out).toContain(`curl --cacert ${caFile} https://localhost:${ports.https}/`);
    expect(out.match(/Trust it once/g)).toHaveLength(1);
  });

  it('serves HTTPS with the local certificate, verified against the local CA, offering h2 by ALPN', async () => {
    const ca = readFileSync(join(CA_DIR, 'ca.pem'));
    const socket = tls.connect({ host: '127.0.0.1', port: ports.https, servername: 'localhost', ca, ALPNProtocols: ['h2', 'http/1.1'] });
    await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    try {
      expect([socket.authorized, socket.alpnProtocol]).toEqual([true, 'h2']);
      const served = new X509Certificate(socket.getPeerCertificate(true).raw);
      expect(served.fingerprint256).toBe(new X509Certificate(readFileSync(join(CA_DIR, 'localhost.pem'))).fingerprint256);
    } finally {
      socket.destroy();
    }
    const session = http2.connect(`https://localhost:${ports.https}`, { ca });
    try {
      const answer = await new Promise<{ status: number; instance: string; body: string }>((resolve, reject) => {
        const req = session.request({ ':path': '/api/whoami' });
        let body = '';
        req.setEncoding('utf8');
        req.on('response', (h) => req.on('data', (c: string) => (body += c)).on('end', () => resolve({ status: Number(h[':status']), instance: String(h['x-instance']), body })));
        req.on('error', reject);
      });
      expect([answer.status, answer.instance]).toEqual([200, JSON.parse(answer.body).instance]);
      expect(answer.instance).toMatch(/^app-[123]$/);
    } finally {
      session.close();
    }
  });

  it('keeps plain HTTP working beside HTTPS: no redirect, no HSTS', async () => {
    const res = await request(`${stack.url}/api/whoami`);
    expect([res.status, res.headers.location, res.headers['strict-transport-security']]).toEqual([200, undefined, undefined]);
  });

  it('spreads requests across the instances', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 9; i++) seen.add(String((await request(`${stack.url}/api/whoami`)).headers['x-instance']));
    expect([...seen].sort()).toEqual(['app-1', 'app-2', 'app-3']);
  });

  it('prints the dashboard URL on 127.0.0.1 at the admin port', () => {
    expect(stack.dashboardUrl).toBe(`http://127.0.0.1:${ports.admin}/`);
  });

  it('answers /api/status on the admin port, without a token on loopback, listing every instance', async () => {
    // The proxy opens its admin listener as it starts; give it a short bounded moment.
    const status = await eventually(() => request(`${stack.dashboardUrl}api/status`), (res) => res.status === 200, 5_000, 'no 200 from the admin listener');
    const body = JSON.parse(status.body.toString()) as { upstreams: Record<string, { servers: { id: string; address: string }[] }> };
    expect(body.upstreams.app.servers.map((s) => [s.id, s.address])).toEqual(
      [0, 1, 2].map((i) => [`app-${i + 1}`, `127.0.0.1:${ports.app + i}`]),
    );
  });

  it('keeps a client on the instance that holds its session: the counter climbs on every request', async () => {
    const first = await request(`${stack.url}/api/whoami`);
    // Every cookie the answer set: the app's session and the proxy's sticky cookie.
    const cookie = (first.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
    expect(cookie).toMatch(/(^|; )portico_server=/);
    const home = JSON.parse(first.body.toString()).instance;
    const answers: { instance: string; counter: number }[] = [];
    for (let i = 0; i < 6; i++) answers.push(JSON.parse((await request(`${stack.url}/api/whoami`, { headers: { cookie } })).body.toString()));
    expect(answers.map((a) => [a.instance, a.counter])).toEqual([2, 3, 4, 5, 6, 7].map((n) => [home, n]));
  });

  it('answers every request a README tells the user to make (curl http://localhost:8080/...)', async () => {
    const claims = readmeCurlPaths();
    expect(claims.length).toBeGreaterThan(0);
    for (const { file, path } of claims) {
      const res = await request(`${stack.url}${path}`);
      expect([file, path, res.status, typeof res.headers['x-instance']]).toEqual([file, path, 200, 'string']);
    }
  });

  it('serves the static assets through the proxy', async () => {
    const page = await request(`${stack.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    for (const asset of ['/app.js', '/style.css', '/logo.svg', '/socket.io/socket.io.js']) {
      expect([asset, (await request(`${stack.url}${asset}`)).status]).toEqual([asset, 200]);
    }
    expect(page.headers['x-powered-by']).toBeUndefined();
  });

  it('serves the page and assets from the proxy itself: its Cache-Control, and no instance behind them', async () => {
    // The app sends `public, max-age=300` for an asset and X-Instance on everything it answers.
    const direct = await request(`http://127.0.0.1:${ports.app}/style.css`);
    expect(direct.headers['cache-control']).toBe('public, max-age=300');
    for (const asset of ['/app.js', '/style.css', '/logo.svg']) {
      const res = await request(`${stack.url}${asset}`);
      expect([asset, res.status, res.headers['cache-control'], res.headers['x-instance']]).toEqual([asset, 200, 'max-age=600', undefined]);
    }
    const page = await request(`${stack.url}/`);
    expect([page.headers['cache-control'], page.headers['x-instance']]).toEqual(['no-cache', undefined]);
    // What the proxy has no file for is the app's.
    expect((await request(`${stack.url}/nope.js`)).headers['x-instance']).toMatch(/^app-/);
  });

  it("compresses what the client accepts: the app's 153 KB socket.io.js, and the proxy's own files", async () => {
    const raw = await request(`${stack.url}/socket.io/socket.io.js`);
    expect(raw.headers['content-encoding']).toBeUndefined();
    for (const encoding of ['gzip', 'br']) {
      const res = await request(`${stack.url}/socket.io/socket.io.js`, { headers: { 'Accept-Encoding': encoding } });
      expect(res.headers['content-encoding']).toBe(encoding);
      expect(res.headers.vary).toMatch(/Accept-Encoding/);
      expect(res.body.length).toBeLessThan(raw.body.length / 3);
      const body = encoding === 'br' ? zlib.brotliDecompressSync(res.body) : zlib.gunzipSync(res.body);
      expect(body.equals(raw.body)).toBe(true);
    }
    const script = await request(`${stack.url}/app.js`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(script.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(script.body).equals(readFileSync(join(ROOT, 'app-sample', 'public', 'app.js')))).toBe(true);
  });

  it('connects Socket.IO over WebSocket through the proxy and chats', async () => {
    const client = io(stack.url, { transports: ['websocket'], forceNew: true, reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('connect', resolve);
        client.once('connect_error', reject);
      });
      const echoed = new Promise<{ nick: string; text: string }>((resolve) => client.once('message', resolve));
      await client.emitWithAck('nick', 'ada');
      client.emit('message', 'hello through the proxy');
      expect(await echoed).toMatchObject({ nick: 'ada', text: 'hello through the proxy' });
    } finally {
      client.close();
    }
  });

  it('restarts a crashed instance with backoff and says so', async () => {
    const victim = pids[0];
    process.kill(victim, 'SIGKILL');
    const deadline = Date.now() + 15_000;
    while (!/exited \(SIGKILL\); restarting in \d+ ms/.test(stack.output())) {
      if (Date.now() > deadline) throw new Error(stack.output());
      await sleep(50);
    }
    while (childPids(stack.child.pid!).length < 4) {
      if (Date.now() > deadline) throw new Error('not restarted');
      await sleep(50);
    }
    pids = childPids(stack.child.pid!);
    expect(pids).not.toContain(victim);
  });

  it('puts a restarted instance back in traffic within one health-check interval of its readiness', async () => {
    const victim = pids.find((pid) => instanceOf(pid) === 'app-2')!;
    const port = ports.app + 1;
    process.kill(victim, 'SIGKILL');
    const deadline = Date.now() + 15_000;
    // Traffic goes on while app-2 is down, as it would for a user: the proxy meets the refused
    // connections and benches app-2 (passive health). Ready again, asked directly: from then on the
    // proxy has one check interval (2s) to put it back.
    while (!(await answers200(`http://127.0.0.1:${port}/readyz`)) || instanceOf(pidOn(stack.child.pid!, 'app-2')) !== 'app-2') {
      if (Date.now() > deadline) throw new Error(`app-2 not restarted:\n${stack.output()}`);
      await Promise.all([request(`${stack.url}/api/whoami`), request(`${stack.url}/api/whoami`), request(`${stack.url}/api/whoami`)]);
    }
    const ready = Date.now();
    // New clients (no cookie) are balanced over every instance in traffic; one of them must be app-2.
    let servedBy = '';
    while (servedBy !== 'app-2') {
      if (Date.now() - ready > CHECK_INTERVAL_MS + 1_000) throw new Error(`app-2 got no traffic ${CHECK_INTERVAL_MS + 1_000} ms after it was ready`);
      servedBy = String((await request(`${stack.url}/api/whoami`)).headers['x-instance']);
    }
    pids = childPids(stack.child.pid!);
  });

  it('stops everything on Ctrl-C and leaves no process behind', async () => {
    stack.child.kill('SIGINT');
    expect(await stack.exited).toBe(0);
    await sleep(100);
    expect(pids.filter(alive)).toEqual([]);
  });
});

/** The plan's default readiness check interval (infra/plan DEFAULT_HEALTH_CHECK: 2s). */
const CHECK_INTERVAL_MS = 2_000;

/** Calls `attempt` until `ok` says yes; after `withinMs`, fails saying what was last seen. */
async function eventually<T>(attempt: () => Promise<T>, ok: (value: T) => boolean, withinMs: number, what: string): Promise<T> {
  const deadline = Date.now() + withinMs;
  let last = 'nothing yet';
  for (;;) {
    try {
      const value = await attempt();
      if (ok(value)) return value;
      last = JSON.stringify(value).slice(0, 200);
    } catch (err) {
      last = String((err as Error).message ?? err);
    }
    if (Date.now() > deadline) throw new Error(`${what} within ${withinMs} ms; last: ${last}`);
    await sleep(50);
  }
}

function answers200(url: string): Promise<boolean> {
  return request(url).then((res) => res.status === 200, () => false);
}

/** The INSTANCE_ID a process was started with (from its environment), or '' when it is gone. */
function instanceOf(pid: number | undefined): string {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    return env.find((e) => e.startsWith('INSTANCE_ID='))?.slice('INSTANCE_ID='.length) ?? '';
  } catch {
    return '';
  }
}

function pidOn(parent: number, instance: string): number | undefined {
  return childPids(parent).find((pid) => instanceOf(pid) === instance);
}

/** Every `curl … http://localhost:8080/path` in the READMEs: a README's claim is a test. */
function readmeCurlPaths(): { file: string; path: string }[] {
  const claims: { file: string; path: string }[] = [];
  for (const file of ['README.md', 'infra/README.md', 'app-sample/README.md']) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    // Command lines only (a line that starts with curl), not prose that mentions one.
    for (const m of text.matchAll(/^\s*curl [^\n]*?http:\/\/(?:localhost|127\.0\.0\.1):8080(\/[^\s'"`]*)/gm)) claims.push({ file, path: m[1] });
  }
  return claims;
}

describe('npm start errors', () => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [ENTRY, ...args], { cwd: ROOT, env: { ...process.env, PORTICO_HOME } });
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      child.on('exit', (code) => resolve({ code, stderr }));
    });

  it('refuses a bad flag with one line and exit 2', async () => {
    const { code, stderr } = await run(['--instances', 'many']);
    expect(code).toBe(2);
    expect(stderr).toBe('portico: --instances must be a whole number from 1 to 64, got "many"\n');
  });

  it('names an admin port already in use and the flag that moves it', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const free = await freePorts(1);
      const { code, stderr } = await run(['--instances', '1', '--http-port', String(free.http), '--https-port', String(free.https), '--app-port', String(free.app), '--admin-port', String(port)]);
      expect(code).toBe(1);
      expect(stderr).toBe(`portico: port ${port} (proxy admin) is already in use; pick another with --admin-port\n`);
    } finally {
      blocker.close();
    }
  });

  it('refuses a bad admin port', async () => {
    const { code, stderr } = await run(['--admin-port', '0']);
    expect(code).toBe(2);
    expect(stderr).toBe('portico: --admin-port must be a whole number from 1 to 65535, got "0"\n');
  });

  it('names an https port already in use and the flag that moves it', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const free = await freePorts(1);
      const { code, stderr } = await run(['--instances', '1', '--http-port', String(free.http), '--https-port', String(port), '--app-port', String(free.app), '--admin-port', String(free.admin)]);
      expect(code).toBe(1);
      expect(stderr).toBe(`portico: port ${port} (proxy https) is already in use; pick another with --https-port\n`);
    } finally {
      blocker.close();
    }
  });

  it('names a port already in use and exits 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const { code, stderr } = await run(['--instances', '1', '--http-port', String(port)]);
      expect(code).toBe(1);
      expect(stderr).toBe(`portico: port ${port} (proxy http) is already in use; pick another with --http-port\n`);
    } finally {
      blocker.close();
    }
  });
});

describe('startLocalStack', () => {
  it('says which build is missing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'portico-nobuild-'));
    await expect(startLocalStack({ httpPort: 8080, httpsPort: 8443, appPort: 3001, instances: 1, caDir: CA_DIR }, { root, write: () => undefined })).rejects.toThrow(
      `missing build: ${join(root, 'dist', 'portico-proxy.js')}; run \`npm run build\` (npm start does it first)`,
    );
  });
});
