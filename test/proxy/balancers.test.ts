import type { ResolvedServer } from '../../proxy/src/config/resolved';
import type { PickContext } from '../../proxy/src/upstream/balancer';
import { ConsistentHashBalancer, HashBalancer, ipHashKey } from '../../proxy/src/upstream/balancers/hash';
import { LeastConnBalancer } from '../../proxy/src/upstream/balancers/least-conn';
import { RandomTwoBalancer } from '../../proxy/src/upstream/balancers/random-two';
import { RoundRobinBalancer } from '../../proxy/src/upstream/balancers/round-robin';
import { UpstreamServer } from '../../proxy/src/upstream/upstream-server';

function server(id: string, over: Partial<ResolvedServer> = {}): UpstreamServer {
  const config: ResolvedServer = { id, address: `${id}:80`, host: id, port: 80, weight: 1, maxConns: 0, maxFails: 1, failTimeout: 10_000, backup: false, down: false, drain: false, route: '', slowStart: 0, ...over };
  return new UpstreamServer(config, { connectTimeout: 1000, keepAliveTimeout: 1000 }, true);
}

/** Passive health took the server out for a minute. */
function takeOut(s: UpstreamServer): void {
  s.record.unavailableUntil = Date.now() + 60_000;
  s.record.transition('unavailable', 'passive', 'test');
}

const ctx = (key = '', tried: UpstreamServer[] = []): PickContext => ({ now: Date.now(), key, tried });

function counts(pick: () => UpstreamServer | null, n: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const s = pick();
    const k = s ? s.id : 'none';
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

describe('round robin', () => {
  it('is smooth: weights 5:1:1 interleave as NGINX does', () => {
    const servers = [server('a', { weight: 5 }), server('b'), server('c')];
    const rr = new RoundRobinBalancer();
    const order = Array.from({ length: 7 }, () => rr.pick(servers, ctx())!.id).join('');
    expect(order).toBe('aabacaa');
  });

  it('gives weights 3:1 exactly 3:1 over many requests', () => {
    const servers = [server('a', { weight: 3 }), server('b')];
    const rr = new RoundRobinBalancer();
    expect(counts(() => rr.pick(servers, ctx()), 4000)).toEqual({ a: 3000, b: 1000 });
  });

  it('skips unavailable and already tried servers', () => {
    const a = server('a');
    const b = server('b', { down: true });
    const c = server('c');
    takeOut(c);
    const rr = new RoundRobinBalancer();
    expect(counts(() => rr.pick([a, b, c], ctx()), 10)).toEqual({ a: 10 });
    expect(rr.pick([a, b, c], ctx('', [a]))).toBeNull();
  });

  it('treats a server at maxConns as unavailable', () => {
    const a = server('a', { maxConns: 2 });
    const b = server('b');
    a.active = 2;
    expect(counts(() => new RoundRobinBalancer().pick([a, b], ctx()), 5)).toEqual({ b: 5 });
  });
});

describe('least connections', () => {
  it('picks the server with fewest active requests per weight', () => {
    const a = server('a', { weight: 2 });
    const b = server('b');
    a.active = 3; // 1.5 per weight
    b.active = 1; // 1 per weight
    const lc = new LeastConnBalancer();
    expect(lc.pick([a, b], ctx())!.id).toBe('b');
    b.active = 2;
    expect(lc.pick([a, b], ctx())!.id).toBe('a');
  });

  it('breaks ties round robin', () => {
    const servers = [server('a'), server('b'), server('c')];
    const lc = new LeastConnBalancer();
    expect(counts(() => lc.pick(servers, ctx()), 9)).toEqual({ a: 3, b: 3, c: 3 });
  });
});

describe('hash', () => {
  it('maps a key to the same server every time', () => {
    const servers = [server('a'), server('b'), server('c')];
    const h = new HashBalancer();
    for (const key of ['/x', '/y', 'user-42']) {
      const first = h.pick(servers, ctx(key))!.id;
      for (let i = 0; i < 20; i++) expect(h.pick(servers, ctx(key))!.id).toBe(first);
    }
  });

  it('spreads many keys over all servers in proportion to weight', () => {
    const servers = [server('a', { weight: 3 }), server('b')];
    const h = new HashBalancer();
    let i = 0;
    const c = counts(() => h.pick(servers, ctx(`/item/${i++}`)), 8000);
    expect(c.a / 8000).toBeGreaterThan(0.7);
    expect(c.a / 8000).toBeLessThan(0.8);
  });

  it('re-hashes away from an unavailable server and keeps other keys in place', () => {
    const servers = [server('a'), server('b'), server('c')];
    const h = new HashBalancer();
    const keys = Array.from({ length: 300 }, (_, i) => `k${i}`);
    const before = keys.map((k) => h.pick(servers, ctx(k))!.id);
    servers[1].record.transition('down', 'config', 'test');
    const after = keys.map((k) => h.pick(servers, ctx(k))!.id);
    keys.forEach((_, i) => {
      expect(after[i]).not.toBe('b');
      if (before[i] !== 'b') expect(after[i]).toBe(before[i]);
    });
  });

  it('ip-hash keys an IPv4 client by its /24 and an IPv6 client by its address', () => {
    expect(ipHashKey('10.1.2.3')).toBe('10.1.2');
    expect(ipHashKey('::ffff:10.1.2.99')).toBe('10.1.2');
    expect(ipHashKey('2001:db8::1')).toBe('2001:db8::1');
  });
});

describe('consistent hash (ketama)', () => {
  const keys = Array.from({ length: 10_000 }, (_, i) => `/object/${i}`);

  it('remaps about 1/N of keys when one of N servers goes', () => {
    const servers = ['a', 'b', 'c', 'd', 'e'].map((id) => server(id));
    const before = keys.map((k) => new ConsistentHashBalancer().pick(servers, ctx(k))!.id);
    const fewer = servers.filter((s) => s.id !== 'c');
    const ch = new ConsistentHashBalancer();
    const after = keys.map((k) => ch.pick(fewer, ctx(k))!.id);
    const moved = keys.filter((_, i) => before[i] !== after[i]).length;
    // Only the keys that lived on "c" move: ~1/5 of them, never keys of the others.
    keys.forEach((_, i) => {
      if (before[i] !== 'c') expect(after[i]).toBe(before[i]);
    });
    expect(moved / keys.length).toBeGreaterThan(0.12);
    expect(moved / keys.length).toBeLessThan(0.28);
  });

  it('walks clockwise past an unavailable server without moving other keys', () => {
    const servers = ['a', 'b', 'c'].map((id) => server(id));
    const ch = new ConsistentHashBalancer();
    const before = keys.slice(0, 500).map((k) => ch.pick(servers, ctx(k))!.id);
    takeOut(servers[0]);
    const after = keys.slice(0, 500).map((k) => ch.pick(servers, ctx(k))!.id);
    before.forEach((b, i) => (b === 'a' ? expect(after[i]).not.toBe('a') : expect(after[i]).toBe(b)));
  });
});

describe('random two choices', () => {
  it('never picks the more loaded of the two it drew', () => {
    const a = server('a');
    const b = server('b');
    a.active = 5;
    const r2 = new RandomTwoBalancer();
    // With two servers both are always drawn, so the less loaded always wins.
    expect(counts(() => r2.pick([a, b], ctx()), 50)).toEqual({ b: 50 });
  });

  it('spreads evenly when loads are equal', () => {
    const servers = [server('a'), server('b'), server('c')];
    const c = counts(() => new RandomTwoBalancer().pick(servers, ctx()), 3000);
    for (const id of ['a', 'b', 'c']) expect(c[id]).toBeGreaterThan(800);
  });
});
