// Graceful shutdown: readiness goes false, in-flight requests finish, connections (Socket.IO
// included) close, and the process exits 0 within SHUTDOWN_TIMEOUT_MS.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { io as connect } from 'socket.io-client';
import { request, startApp } from './support';

const ROOT = path.join(__dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('close() in-process', () => {
  it('lets an in-flight request finish, then closes its kept-alive connection at once', async () => {
    const s = await startApp();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const slow = request(`${s.url}/api/slow?ms=400`, { agent });
    await sleep(100);
    const t0 = Date.now();
    const closed = s.app.close({ timeoutMs: 5000 });
    await sleep(50);
    await expect(request(`${s.url}/healthz`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const reply = await slow;
    expect(reply.status).toBe(200);
    // without closing the connection once idle, Node keeps it 5 s (keep-alive timeout)
    await expect(closed).resolves.toEqual({ forced: false });
    expect(Date.now() - t0).toBeLessThan(1500);
    agent.destroy();
  });

  it('closes Socket.IO connections on both transports so that clients reconnect elsewhere', async () => {
    const s = await startApp();
    const clients = (['polling', 'websocket'] as const).map((t) =>
      connect(s.url, { transports: [t], forceNew: true, reconnection: false }),
    );
    await Promise.all(clients.map((c) => new Promise((r) => c.once('welcome', r))));
    const reasons = clients.map((c) => new Promise<string>((r) => c.once('disconnect', r)));
    const t0 = Date.now();
    await expect(s.app.close({ timeoutMs: 5000 })).resolves.toEqual({ forced: false });
    expect(Date.now() - t0).toBeLessThan(1500);
    // not "io server disconnect", after which socket.io-client would not reconnect by itself
    for (const reason of await Promise.all(reasons)) expect(reason).toMatch(/^transport (close|error)$/);
    for (const c of clients) c.close();
  });

  it('cuts what is still open at the deadline', async () => {
    const s = await startApp();
    const slow = request(`${s.url}/api/slow?ms=10000`);
    await sleep(100);
    const t0 = Date.now();
    await expect(s.app.close({ timeoutMs: 300 })).resolves.toEqual({ forced: true });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(Date.now() - t0).toBeLessThan(1000);
    await expect(slow).rejects.toThrow(/socket hang up|ECONNRESET/);
  });
});

// ---- the real process, as an orchestrator (or `docker stop`) runs it

interface AppProcess {
  child: ChildProcess;
  port: number;
  output: () => string;
  /** resolves with the exit code and the time of exit */
  exited: Promise<{ code: number | null; signal: string | null; at: number }>;
}

async function spawnApp(env: Record<string, string>): Promise<AppProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'app-sample/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', INSTANCE_ID: 'proc-1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (out += d));
  const exited = new Promise<{ code: number | null; signal: string | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app did not start:\n${out}`)), 15_000);
    const check = () => {
      const m = /listening addr=127\.0\.0\.1:(\d+)/.exec(out);
      if (m && /\] ready\n/.test(out)) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', check);
    exited.then(() => reject(new Error(`app exited before ready:\n${out}`)));
  });
  return { child, port, output: () => out, exited };
}

describe('the app process on SIGTERM / SIGINT', () => {
  const running: ChildProcess[] = [];
  afterEach(() => {
    for (const c of running.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it('drains: readyz 503, then new connections refused, the slow request completes, exit 0', async () => {
    const p = await spawnApp({ SHUTDOWN_DELAY_MS: '600', SHUTDOWN_TIMEOUT_MS: '5000' });
    running.push(p.child);
    const url = `http://127.0.0.1:${p.port}`;
    expect((await request(`${url}/readyz`)).status).toBe(200);

    const slow = request(`${url}/api/slow?ms=1500`);
    await sleep(100);
    const t0 = Date.now();
    p.child.kill('SIGTERM');

    // the delay: still serving, but no longer ready
    let readyz = 0;
    while (Date.now() - t0 < 600 && readyz !== 503) readyz = (await request(`${url}/readyz`)).status;
    expect(readyz).toBe(503);

    // then the listener closes
    let refused = false;
    while (Date.now() - t0 < 1400 && !refused) {
      refused = await request(`${url}/healthz`).then(() => false, (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED');
      if (!refused) await sleep(25);
    }
    expect(refused).toBe(true);

    const reply = await slow;
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({ instance: 'proc-1', sleptMs: 1500 });

    const exit = await p.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - t0).toBeLessThan(5000);
    const lines = p.output().trim().split('\n');
    expect(lines.every((l) => l.startsWith('[proc-1] '))).toBe(true);
    expect(lines).toEqual(expect.arrayContaining(['[proc-1] shutdown requested signal=SIGTERM', '[proc-1] stopped forced=false']));
  }, 20_000);

  it('exits 0 within SHUTDOWN_TIMEOUT_MS even when a request outlives it', async () => {
    const p = await spawnApp({ SHUTDOWN_TIMEOUT_MS: '500' });
    running.push(p.child);
    const slow = request(`http://127.0.0.1:${p.port}/api/slow?ms=20000`);
    await sleep(100);
    const t0 = Date.now();
    p.child.kill('SIGTERM');
    await expect(slow).rejects.toThrow(/socket hang up|ECONNRESET/);
    const exit = await p.exited;
    expect(exit.code).toBe(0);
    expect(exit.at - t0).toBeGreaterThanOrEqual(450);
    expect(exit.at - t0).toBeLessThan(2000);
    expect(p.output()).toContain('[proc-1] stopped forced=true');
  }, 20_000);

  it('stops on SIGINT too', async () => {
    const p = await spawnApp({});
    running.push(p.child);
    const t0 = Date.now();
    p.child.kill('SIGINT');
    const exit = await p.exited;
    expect(exit.code).toBe(0);
    expect(exit.at - t0).toBeLessThan(2000);
  }, 20_000);
});
