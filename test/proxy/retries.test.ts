import { bodyOutcome, refusedAddress, request, simpleConfig, sleep, startBackend, startProxy } from '../helpers/servers';

/** A backend that resets every connection as soon as a request arrives (after it was sent). */
async function resettingBackend() {
  return startBackend((req) => req.socket.destroy(), { readBody: false });
}

describe('retries (proxy_next_upstream)', () => {
  it('moves a GET to the next server on a refused connect, and marks the dead one unavailable', async () => {
    const good = await startBackend((_q, res) => res.end('good'));
    const dead = await refusedAddress();
    const { url } = await startProxy(simpleConfig([dead, good.address]));
    for (let i = 0; i < 6; i++) expect((await request(url)).body.toString()).toBe('good');
    // max_fails=1: after the first failure the dead server is skipped for fail_timeout.
    expect(good.requests).toHaveLength(6);
  });

  it('retries a GET whose connection was reset after sending, on another server', async () => {
    const reset = await resettingBackend();
    const good = await startBackend((_q, res) => res.end('good'));
    const { url } = await startProxy(simpleConfig([reset.address, good.address], { maxFails: 0 }));
    const replies = await Promise.all([request(url), request(url), request(url), request(url)]);
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(reset.requests.length).toBeGreaterThan(0);
  });

  it('never retries a POST once sent, and answers 502', async () => {
    const reset = await resettingBackend();
    const good = await startBackend();
    const { url } = await startProxy(simpleConfig([reset.address, good.address], { maxFails: 0 }));
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await request(url, { method: 'POST', body: 'x' })).status);
    expect(statuses.sort()).toEqual([200, 200, 502, 502]);
    expect(good.requests).toHaveLength(2);
  });

  it('retries a POST once sent when the route opts in', async () => {
    const reset = await resettingBackend();
    const good = await startBackend((_q, res, body) => res.end(`got ${body}`));
    const { url } = await startProxy({
      upstreams: { app: { maxFails: 0, servers: [{ address: reset.address }, { address: good.address }] } },
      routes: [{ proxy: { upstream: 'app', retryNonIdempotent: true } }],
    });
    for (let i = 0; i < 4; i++) {
      const reply = await request(url, { method: 'POST' });
      expect(reply.status).toBe(200);
    }
  });

  it('retries a POST with a body when the connect was refused (nothing was sent)', async () => {
    const good = await startBackend((_q, res, body) => res.end(`got ${body}`));
    const { url } = await startProxy(simpleConfig([await refusedAddress(), good.address], { maxFails: 0 }));
    for (let i = 0; i < 4; i++) {
      const reply = await request(url, { method: 'POST', body: 'payload' });
      expect(reply.body.toString()).toBe('got payload');
    }
  });

  it('does not retry on timeout when only "error" is configured', async () => {
    // undici's timers tick every ~0.5 s: timeouts in tests leave a wide gap.
    // unref: an answer nobody waits for must not keep jest running after the last test.
    const slow = await startBackend((_q, res) => setTimeout(() => res.end('late'), 2500).unref());
    const fast = await startBackend((_q, res) => res.end('fast'));
    const { url } = await startProxy({ ...simpleConfig([slow.address, fast.address], { retry: { on: ['error'] }, maxFails: 0 }), timeouts: { firstByte: 100 } });
    const statuses = [];
    for (let i = 0; i < 2; i++) statuses.push((await request(url)).status);
    expect(statuses.sort()).toEqual([200, 504]);
  });

  it('retries on an upstream 502 only when http_502 is configured, passing the last answer on', async () => {
    const bad = await startBackend((_q, res) => res.writeHead(502).end('bad gateway from app'));
    const good = await startBackend((_q, res) => res.end('good'));
    const off = await startProxy(simpleConfig([bad.address, good.address], { maxFails: 0 }));
    const plain = [await request(off.url), await request(off.url)].map((r) => r.status).sort();
    expect(plain).toEqual([200, 502]);

    const on = await startProxy(simpleConfig([bad.address, good.address], { maxFails: 0, retry: { on: ['error', 'timeout', 'http_502'] } }));
    for (let i = 0; i < 4; i++) expect((await request(on.url)).body.toString()).toBe('good');

    const allBad = await startProxy(simpleConfig([bad.address], { retry: { on: ['http_502'] } }));
    const last = await request(allBad.url);
    expect([last.status, last.body.toString()]).toEqual([502, 'bad gateway from app']);
  });

  it('stops after retry.tries attempts', async () => {
    const dead = await Promise.all([refusedAddress(), refusedAddress(), refusedAddress()]);
    const good = await startBackend();
    const { url } = await startProxy(simpleConfig([...dead, good.address], { maxFails: 0, retry: { tries: 2 } }));
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await request(url)).status);
    // Round robin starts each request one server further; only starts within 2 of "good" reach it.
    expect(statuses.filter((s) => s === 502).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
  });

  it('retries nothing once bytes reached the client', async () => {
    let calls = 0;
    const flaky = await startBackend((_q, res) => {
      calls++;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('part');
      setTimeout(() => res.socket!.destroy(), 20);
    });
    const other = await startBackend();
    const { port } = await startProxy(simpleConfig([flaky.address, other.address], { maxFails: 0 }));
    expect(await bodyOutcome(port)).toBe('cut part');
    expect(calls).toBe(1);
    expect(other.requests).toHaveLength(0);
  });
});

describe('passive health (max_fails, fail_timeout)', () => {
  it('marks a server unavailable after maxFails failures within failTimeout, then tries it again', async () => {
    let failing = true;
    const flaky = await startBackend((req, res) => (failing ? req.socket.destroy() : res.end('flaky')), { readBody: false });
    const good = await startBackend((_q, res) => res.end('good'));
    const { url } = await startProxy(simpleConfig([flaky.address, good.address], { maxFails: 2, failTimeout: 300 }));
    for (let i = 0; i < 10; i++) await request(url);
    expect(flaky.requests).toHaveLength(2); // two failures, then skipped
    failing = false;
    await sleep(350);
    const bodies = [];
    for (let i = 0; i < 4; i++) bodies.push((await request(url)).body.toString());
    expect(bodies.sort()).toEqual(['flaky', 'flaky', 'good', 'good']);
  });

  it('never marks the only server of an upstream unavailable', async () => {
    let failing = true;
    const only = await startBackend((req, res) => (failing ? req.socket.destroy() : res.end('back')), { readBody: false });
    const { url } = await startProxy(simpleConfig([only.address]));
    expect((await request(url)).status).toBe(502);
    failing = false;
    expect((await request(url)).body.toString()).toBe('back');
  });

  it('counts only the failures proxy_next_upstream names', async () => {
    const bad = await startBackend((_q, res) => res.writeHead(500).end());
    const good = await startBackend();
    const { url } = await startProxy(simpleConfig([bad.address, good.address]));
    for (let i = 0; i < 6; i++) await request(url);
    expect(bad.requests).toHaveLength(3); // a 500 is not a failure unless http_500 is configured
  });
});

describe('retry limits in time', () => {
  it('stops retrying once retry.timeout has passed since the first try', async () => {
    // Each server takes the whole firstByte timeout; with a 400 ms budget only the first two are tried.
    const slow = await Promise.all([0, 1, 2, 3].map(() => startBackend((_q, res) => setTimeout(() => res.end('late'), 3000).unref())));
    const { url } = await startProxy({
      ...simpleConfig(slow.map((s) => s.address), { maxFails: 0, retry: { on: ['timeout'], timeout: 400 } }),
      timeouts: { firstByte: 300 },
    });
    const reply = await request(url);
    expect(reply.status).toBe(504);
    expect(slow.filter((s) => s.requests.length > 0)).toHaveLength(2);
  });
});
