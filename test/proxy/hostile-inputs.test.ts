// Hostile clients against the real proxy over raw TCP: for each input, what the client gets and
// what the upstream receives (nothing, or exactly the headers asserted). The process must stay up:
// every case ends with a normal request that succeeds.
import net from 'node:net';
import { registerCleanup, simpleConfig, startProxy } from '../helpers/servers';

jest.setTimeout(15_000);

/** Opens a connection, sends half a request head, and resolves when the proxy closes it. */
function stalledHead(port: number): Promise<{ startedAt: number; closedAt: number; received: string }> {
  return new Promise((resolve) => {
    let received = '';
    const startedAt = Date.now();
    const socket = net.connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: a.test\r\n'));
    socket.on('data', (d) => (received += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ startedAt, closedAt: Date.now(), received }));
    registerCleanup(async () => socket.destroy());
  });
}

describe('a client that stalls in its request head', () => {
  it('is cut between clientHeader and clientHeader + 300 ms', async () => {
    const { port } = await startProxy({ ...simpleConfig(['127.0.0.1:1']), timeouts: { clientHeader: 300 } });
    const { startedAt, closedAt, received } = await stalledHead(port);
    expect(closedAt - startedAt).toBeGreaterThanOrEqual(295);
    expect(closedAt - startedAt).toBeLessThan(600);
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('is cut at most a quarter of clientHeader late, whatever its phase against the check timer', async () => {
    // Ten clients 50 ms apart cover every phase of a check interval up to 500 ms: with node's
    // default (clientHeader / 2) one of them is cut ~450 ms late; at clientHeader / 4, 250 ms.
    const { port } = await startProxy({ ...simpleConfig(['127.0.0.1:1']), timeouts: { clientHeader: 1000 } });
    const stalls: Promise<{ startedAt: number; closedAt: number }>[] = [];
    for (let i = 0; i < 10; i++) {
      stalls.push(stalledHead(port));
      await new Promise((r) => setTimeout(r, 50));
    }
    const late = (await Promise.all(stalls)).map((s) => s.closedAt - s.startedAt - 1000);
    expect(Math.min(...late)).toBeGreaterThanOrEqual(-5);
    expect(Math.max(...late)).toBeLessThan(380);
  });
});
