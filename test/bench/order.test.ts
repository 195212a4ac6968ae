import { runOrder } from '../../bench/order';

const targets = ['direct', 'portico', 'nginx', 'haproxy', 'fastify'];

describe('bench run order', () => {
  it('runs every target once per rep', () => {
    for (let rep = 0; rep < 8; rep++) expect([...runOrder(targets, rep)].sort()).toEqual([...targets].sort());
  });

  it('gives each target a different predecessor in each of the first reps', () => {
    for (const t of targets) {
      const before = [0, 1, 2, 3].map((rep) => {
        const order = runOrder(targets, rep);
        const i = order.indexOf(t);
        return i === 0 ? '(first)' : order[i - 1];
      });
      expect(new Set(before).size).toBe(before.length);
    }
  });

  it('handles lists too short to vary', () => {
    expect(runOrder(['a'], 3)).toEqual(['a']);
    expect(runOrder(['a', 'b'], 1)).toEqual(['b', 'a']);
  });
});
