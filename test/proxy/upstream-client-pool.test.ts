// The idle connection pool of one upstream server (NGINX's `keepalive N`).
import type { Socket } from 'node:net';
import { startBackend } from '../helpers/servers';
import { DEFAULT_MAX_IDLE } from '../../proxy/src/upstream/h1/h1-pool';
import { get, pool, Recorder, until } from './upstream-client-servers';

describe('upstream client: idle connection pool', () => {
  it('keeps at most maxIdle idle connections after 100 concurrent requests, closing the rest', async () => {
    const held: (() => void)[] = [];
    // Answers only once all 100 requests are in, so 100 connections are open at once.
    const backend = await startBackend((_q, res) => {
      if (held.length === 100) return void res.end('ok');
      held.push(() => res.end('ok'));
      if (held.length === 100) held.forEach((answer) => answer());
    });
    const open = new Set<Socket>();
    backend.server.on('connection', (s: Socket) => {
      open.add(s);
      s.on('close', () => open.delete(s));
    });
    const p = pool('127.0.0.1', backend.port, { maxIdle: 10 });
    const recorders = Array.from({ length: 100 }, () => new Recorder());
    recorders.forEach((r) => p.dispatch(get(), r));
    const outcomes = await Promise.all(recorders.map((r) => r.done));
    expect(outcomes.every((o) => o.kind === 'complete' && o.body.toString() === 'ok')).toBe(true);
    await until(() => p.size <= 10 && open.size <= 10, 2000);
    expect([p.size, open.size]).toEqual([10, 10]);
    // The survivors serve the next requests: no new connection.
    const again = new Recorder();
    p.dispatch(get(), again);
    expect((await again.done).kind).toBe('complete');
    expect(p.size).toBe(10);
  });

  it('caps idle connections at 64 by default', () => {
    expect(DEFAULT_MAX_IDLE).toBe(64);
  });
});
