// `npm start`'s stack for real: the built bundles, processes on 127.0.0.1, driven through the proxy.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { startLocalStack } from '../../infra/local/stack';
import { request, sleep } from '../helpers/servers';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '..', '..');
const ENTRY = join(ROOT, 'dist', 'local-stack.js');

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
});

/** Free ports for the proxy and `count` consecutive app ports. */
async function freePorts(count: number): Promise<{ http: number; app: number }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const ports = [base, ...Array.from({ length: count }, (_, i) => base + 1 + i)];
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return { http: base, app: base + 1 };
  }
  throw new Error('no free ports');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer().once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

interface Stack {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

async function startStack(args: string[]): Promise<Stack> {
  const child = spawn(process.execPath, [ENTRY, ...args], { cwd: ROOT });
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
  const port = Number(/proxy {4}http:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]);
  return { child, url: `http://127.0.0.1:${port}`, output: () => out, exited };
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

  beforeAll(async () => {
    const ports = await freePorts(3);
    stack = await startStack(['--instances', '3', '--http-port', String(ports.http), '--app-port', String(ports.app)]);
    pids = childPids(stack.child.pid!);
  });

  afterAll(async () => {
    if (stack.child.exitCode === null) stack.child.kill('SIGKILL');
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('prints the URLs and every instance with its health', () => {
    const out = stack.output();
    expect(out).toMatch(/Portico is running: 3 app instances behind the proxy/);
    expect(out).toMatch(/open {5}http:\/\/localhost:\d+\//);
    for (const id of ['app-1', 'app-2', 'app-3']) expect(out).toMatch(new RegExp(`${id} +http://127\\.0\\.0\\.1:\\d+ +ready`));
    expect(pids).toHaveLength(4);
  });

  it('spreads requests across the instances', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 9; i++) seen.add(String((await request(`${stack.url}/api/whoami`)).headers['x-instance']));
    expect([...seen].sort()).toEqual(['app-1', 'app-2', 'app-3']);
  });

  it('keeps a session counter per instance (without stickiness it restarts on another instance)', async () => {
    // Sticky sessions are a later issue: today the session lives on the instance that made it, so a
    // cookie only counts up when round robin brings it back to that instance.
    const first = await request(`${stack.url}/api/whoami`);
    const cookie = String(first.headers['set-cookie']![0]).split(';')[0];
    const home = JSON.parse(first.body.toString()).instance;
    const counters: { instance: string; counter: number }[] = [];
    for (let i = 0; i < 6; i++) counters.push(JSON.parse((await request(`${stack.url}/api/whoami`, { headers: { cookie } })).body.toString()));
    const atHome = counters.filter((c) => c.instance === home).map((c) => c.counter);
    expect(atHome).toEqual([2, 3]);
    expect(counters.filter((c) => c.instance !== home).every((c) => c.counter === 1)).toBe(true);
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

  it('stops everything on Ctrl-C and leaves no process behind', async () => {
    stack.child.kill('SIGINT');
    expect(await stack.exited).toBe(0);
    await sleep(100);
    expect(pids.filter(alive)).toEqual([]);
  });
});

describe('npm start errors', () => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [ENTRY, ...args], { cwd: ROOT });
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      child.on('exit', (code) => resolve({ code, stderr }));
    });

  it('refuses a bad flag with one line and exit 2', async () => {
    const { code, stderr } = await run(['--instances', 'many']);
    expect(code).toBe(2);
    expect(stderr).toBe('portico: --instances must be a whole number from 1 to 64, got "many"\n');
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
    await expect(startLocalStack({ httpPort: 8080, httpsPort: 8443, appPort: 3001, instances: 1 }, { root, write: () => undefined })).rejects.toThrow(
      `missing build: ${join(root, 'dist', 'portico-proxy.js')}; run \`npm run build\` (npm start does it first)`,
    );
  });
});
