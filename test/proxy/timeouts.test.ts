// Timeouts that need a peer which misbehaves at the TCP level.
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { registerCleanup, request, simpleConfig, sleep, startBackend, startProxy } from '../helpers/servers';

jest.setTimeout(15_000);

/**
 * An address whose connects hang: a listening socket that never accepts, its backlog filled, so
 * the kernel drops further SYNs. Node always accepts, so a tiny python3 listener holds the port.
 */
async function blackholeAddress(): Promise<string> {
  const child = spawn('python3', ['-c', 'import socket,sys,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(60)']);
  registerCleanup(async () => child.kill('SIGKILL'));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (d) => resolve(Number(String(d).trim())));
    child.once('error', reject);
  });
  const fillers = [0, 1, 2].map(() => net.connect(port, '127.0.0.1').on('error', () => undefined));
  registerCleanup(async () => fillers.forEach((s) => s.destroy()));
  await sleep(100);
  return `127.0.0.1:${port}`;
}

describe('timeouts', () => {
  it('gives up a connect after timeouts.connect and tries the next server', async () => {
    const hole = await blackholeAddress();
    const good = await startBackend((_q, res) => res.end('good'));
    const only = await startProxy({ ...simpleConfig([hole]), timeouts: { connect: 300 } });
    const started = Date.now();
    const timedOut = await request(only.url, { headers: { accept: 'application/json' } });
    expect([timedOut.status, JSON.parse(timedOut.body.toString()).code]).toEqual([504, 'UPSTREAM_TIMEOUT']);
    expect(Date.now() - started).toBeLessThan(2000);

    const both = await startProxy({ ...simpleConfig([hole, good.address]), timeouts: { connect: 300 } });
    for (let i = 0; i < 3; i++) expect((await request(both.url)).body.toString()).toBe('good');
  });

  it('cuts a client that stops reading for longer than timeouts.clientSend, and the upstream with it', async () => {
    let upstreamClosed = false;
    let closedWhilePaused = false;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const backend = await startBackend((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }); // streamed, unknown length
      const pump = () => {
        while (!upstreamClosed && res.write(chunk));
        if (!upstreamClosed) res.once('drain', pump);
      };
      res.on('close', () => (upstreamClosed = true));
      pump();
    });
    const { port } = await startProxy({ ...simpleConfig([backend.address]), timeouts: { clientSend: 300 } });
    const outcome = await new Promise<string>((resolve) => {
      const req = http.get({ port, host: '127.0.0.1', agent: false }, (res) => {
        // Stop reading: the proxy's writes back up. A paused client cannot notice the reset, so
        // it reads again after a while and must find the stream cut, not complete.
        res.pause();
        setTimeout(() => {
          closedWhilePaused = upstreamClosed;
          res.resume();
        }, 1500);
        res.on('error', () => resolve('reset'));
        res.on('end', () => resolve('complete'));
      });
      req.on('error', () => resolve('reset'));
      setTimeout(() => resolve('still open'), 5000).unref(); // unref: not to hold jest once settled
    });
    expect(outcome).toBe('reset');
    expect(closedWhilePaused).toBe(true);
  });
});
