// Loopback helpers: a free port, waiting for a listener, and checking one response.
import http from 'node:http';
import net from 'node:net';
import type { Managed } from './procs';

export const HOST = '127.0.0.1';

/** A port that was free a moment ago (the kernel's pick for port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: HOST, port });
    sock.once('connect', () => (sock.destroy(), resolve(true)));
    sock.once('error', () => resolve(false));
  });
}

/** Waits until something accepts on port; fails early if the process exits. */
export async function waitForPort(port: number, proc: Managed, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exited()) throw new Error(`${proc.name} exited before listening on ${port}: ${proc.tail() || '(no output)'}`);
    if (await canConnect(port)) return;
    if (Date.now() > deadline) throw new Error(`${proc.name} did not listen on ${port} within ${timeoutMs} ms: ${proc.tail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** GET path once (no keep-alive) and require status 200 with exactly `bytes` of body. */
export function checkResponse(port: number, path: string, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: HOST, port, path, agent: false, timeout: 5000 }, (res) => {
      let got = 0;
      res.on('data', (c: Buffer) => (got += c.length));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${path} answered ${res.statusCode}, expected 200`));
        else if (got !== bytes) reject(new Error(`GET ${path} returned ${got} bytes, expected ${bytes}`));
        else resolve();
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
  });
}
