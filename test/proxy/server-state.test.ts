// Upstream server state: one union, one transition function, observers told only of real changes.
import { ServerBook } from '../../proxy/src/upstream/server-book';
import { allowedTransition, type StateChange } from '../../proxy/src/upstream/server-state';

describe('server state transitions', () => {
  it('notifies observers once per change, never for a repeated state', () => {
    const book = new ServerBook();
    const changes: StateChange[] = [];
    book.observe((c) => changes.push(c));
    const r = book.record('app', 'a', 1);
    expect(r.transition('unavailable', 'passive', 'refused')).toBe(true);
    expect(r.transition('unavailable', 'passive', 'refused again')).toBe(false);
    expect(changes.map((c) => `${c.from}->${c.to}`)).toEqual(['up->unavailable']);
  });

  it('brings an unavailable server back once its fail timeout elapsed, on the next question', () => {
    const book = new ServerBook();
    const changes: StateChange[] = [];
    book.observe((c) => changes.push(c));
    const r = book.record('app', 'a', 1);
    r.unavailableUntil = 1_000;
    r.transition('unavailable', 'passive', 'refused');
    expect(r.isInService(999)).toBe(false);
    expect(r.isInService(1_000)).toBe(true);
    expect(r.state).toBe('up');
    expect(changes.map((c) => c.cause)).toEqual(['passive', 'recovered']);
  });

  it('lets only config or an operator end a drain or a config down', () => {
    expect(allowedTransition('draining', 'up', 'active')).toBe(false);
    expect(allowedTransition('draining', 'unavailable', 'passive')).toBe(false);
    expect(allowedTransition('draining', 'up', 'admin')).toBe(true);
    expect(allowedTransition('down', 'up', 'recovered')).toBe(false);
    expect(allowedTransition('down', 'up', 'config')).toBe(true);
  });

  it('lets passive failures take out only a server in service', () => {
    expect(allowedTransition('checking', 'unavailable', 'passive')).toBe(false);
    expect(allowedTransition('unhealthy', 'unavailable', 'passive')).toBe(false);
    expect(allowedTransition('up', 'unavailable', 'passive')).toBe(true);
  });

  it('keeps a record across lookups (reloads) and refreshes its weight', () => {
    const book = new ServerBook();
    const first = book.record('app', 'a', 1);
    first.transition('unavailable', 'passive', 'x');
    const again = book.record('app', 'a', 3);
    expect(again).toBe(first);
    expect(again.state).toBe('unavailable');
    expect(again.effectiveWeight).toBe(3);
  });

  it('forgets records no config names once nothing is in flight on them', () => {
    const book = new ServerBook();
    const a = book.record('app', 'a', 1);
    const b = book.record('app', 'b', 1);
    b.active = 1;
    book.keepOnly(new Set([a]));
    expect(book.all()).toEqual([a, b]);
    b.active = 0;
    book.keepOnly(new Set([a]));
    expect(book.all()).toEqual([a]);
  });
});
