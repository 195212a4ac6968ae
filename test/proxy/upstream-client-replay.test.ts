// When a request may go twice: only after a reused keep-alive connection was closed or reset
// before any answer, only if replayable (not POST, PATCH, LOCK by default), never after a timeout.
import { request, simpleConfig, startProxy } from '../helpers/servers';
import { ok, rawServer } from './upstream-client-servers';

const json = { accept: 'application/json' };

describe('upstream client: replays on a fresh connection', () => {
  it('sends a POST on a reused connection whose upstream times out exactly once, and answers 504 once', async () => {
    // The first request of a connection is answered; the second never is.
    const server = await rawServer((s, _head, index) => index === 0 && s.write(ok('warm')));
    const { url } = await startProxy({ ...simpleConfig([server.address]), timeouts: { firstByte: 300 } });
    expect((await request(url)).body.toString()).toBe('warm');
    const started = Date.now();
    const reply = await request(url, { method: 'POST', headers: json });
    expect([reply.status, JSON.parse(reply.body.toString()).code]).toEqual([504, 'UPSTREAM_TIMEOUT']);
    expect(Date.now() - started).toBeLessThan(550);
    expect(server.heads.filter((h) => h.startsWith('POST '))).toHaveLength(1);
  });

  it('does not replay a POST whose reused connection the server closed, and answers 502', async () => {
    const server = await rawServer((s, _head, index) => (index === 0 ? s.write(ok('fine')) : s.destroy()));
    const { url } = await startProxy(simpleConfig([server.address]));
    expect((await request(url)).status).toBe(200);
    const reply = await request(url, { method: 'POST', headers: json }); // no body: nothing read that could forbid a replay
    expect([reply.status, JSON.parse(reply.body.toString()).code]).toEqual([502, 'UPSTREAM_RESET']);
    expect(server.heads.filter((h) => h.startsWith('POST '))).toHaveLength(1);
    expect(server.connections).toHaveLength(1);
  });

  it('replays a GET whose reused connection the server closed before answering, transparently', async () => {
    const server = await rawServer((s, _head, index) => (index === 0 ? s.write(ok('fine')) : s.destroy()));
    const { url } = await startProxy(simpleConfig([server.address]));
    expect((await request(url)).status).toBe(200);
    const reply = await request(url, { headers: json });
    expect([reply.status, reply.body.toString()]).toEqual([200, 'fine']);
    expect(server.connections).toHaveLength(2);
  });
});
