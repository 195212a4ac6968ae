import http from 'node:http';
import { refusedAddress, request, simpleConfig, sleep, startBackend, startProxy } from '../helpers/servers';

async function named(name: string, delayMs = 0) {
  return startBackend((_q, res) => setTimeout(() => res.end(name), delayMs));
}

async function tally(url: string, n: number, headers: http.OutgoingHttpHeaders = {}): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const body = (await request(url, { headers })).body.toString();
    out[body] = (out[body] ?? 0) + 1;
  }
  return out;
}

describe('balancing through the proxy', () => {
  it('spreads weights 3:1 as 3:1 (round robin is exact)', async () => {
    const a = await named('a');
    const b = await named('b');
    const { url } = await startProxy(simpleConfig([{ address: a.address, weight: 3 }, { address: b.address }]));
    expect(await tally(url, 200)).toEqual({ a: 150, b: 50 });
  });

  it('keeps a client on one server with ip-hash', async () => {
    const servers = await Promise.all(['a', 'b', 'c'].map((n) => named(n)));
    const { url } = await startProxy(simpleConfig(servers.map((s) => s.address), { balance: 'ip-hash' }));
    expect(Object.keys(await tally(url, 20))).toHaveLength(1);
  });

  it('keeps a key on one server with hash $cookie_sid, and spreads different keys', async () => {
    const servers = await Promise.all(['a', 'b', 'c'].map((n) => named(n)));
    // Fixed ids: the ring is built from server ids, and addresses carry a random port.
    const ids = servers.map((s, i) => ({ address: s.address, id: `server-${i}` }));
    const { url } = await startProxy(simpleConfig(ids, { balance: 'hash', hashKey: '$cookie_sid', consistent: true }));
    expect(Object.keys(await tally(url, 10, { cookie: 'sid=alice' }))).toHaveLength(1);
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) seen.add((await request(url, { headers: { cookie: `sid=user${i}` } })).body.toString());
    expect(seen.size).toBe(3);
  });

  it('uses backup servers only when every primary is unavailable', async () => {
    const primary = await named('primary');
    const backup = await named('backup');
    const { url } = await startProxy(simpleConfig([{ address: primary.address }, { address: backup.address, backup: true }]));
    expect(await tally(url, 10)).toEqual({ primary: 10 });
    await primary.close();
    expect(await tally(url, 5)).toEqual({ backup: 5 });
  });

  it('fails over to a backup when the primaries refuse', async () => {
    const backup = await named('backup');
    const { url } = await startProxy(simpleConfig([{ address: await refusedAddress() }, { address: await refusedAddress() }, { address: backup.address, backup: true }]));
    expect(await tally(url, 4)).toEqual({ backup: 4 });
  });

  it('never exceeds maxConns under concurrent load, and answers 503 beyond every limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const limited = await startBackend((_q, res) => {
      peak = Math.max(peak, ++inFlight);
      setTimeout(() => {
        inFlight--;
        res.end('limited');
      }, 50);
    });
    const { url } = await startProxy(simpleConfig([{ address: limited.address, maxConns: 3 }]));
    const replies = await Promise.all(Array.from({ length: 20 }, () => request(url, { headers: { accept: 'application/json' } })));
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBe(3);
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 503)).toHaveLength(17);
    expect(JSON.parse(replies.find((r) => r.status === 503)!.body.toString()).code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('sends overflow beyond maxConns to the other servers', async () => {
    let peakA = 0;
    let inA = 0;
    const a = await startBackend((_q, res) => {
      peakA = Math.max(peakA, ++inA);
      setTimeout(() => {
        inA--;
        res.end('a');
      }, 40);
    });
    const b = await named('b', 40);
    const { url } = await startProxy(simpleConfig([{ address: a.address, maxConns: 2 }, { address: b.address }], { balance: 'least-conn' }));
    const replies = await Promise.all(Array.from({ length: 30 }, () => request(url)));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(peakA).toBeLessThanOrEqual(2);
  });

  it('least-conn sends new requests away from a busy server', async () => {
    const slow = await named('slow', 400);
    const fast = await named('fast');
    const { url } = await startProxy(simpleConfig([slow.address, fast.address], { balance: 'least-conn' }));
    // On a tie the first server listed wins, so this request occupies "slow".
    const pending = request(url);
    await sleep(30);
    expect(await tally(url, 5)).toEqual({ fast: 5 });
    expect((await pending).body.toString()).toBe('slow');
  });
});
