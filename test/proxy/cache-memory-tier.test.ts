// The memory tier's LRU order stays exact when a hit on the most recently used entry moves nothing.
import { LruBytes } from '../../proxy/src/lru-bytes';

describe('LruBytes touch', () => {
  it('evicts least recently used first, whatever was touched and how often', () => {
    const evicted: string[] = [];
    const lru = new LruBytes<string, number>(30, (key) => evicted.push(key));
    lru.set('a', 1, 10);
    lru.set('b', 2, 10);
    lru.set('c', 3, 10);
    lru.touch('c'); // already the newest: nothing moves
    lru.touch('a');
    lru.touch('a');
    lru.set('d', 4, 10); // b is the oldest now
    expect(evicted).toEqual(['b']);
    lru.touch('c');
    lru.delete('d'); // not the newest any more
    lru.set('e', 5, 10);
    lru.set('f', 6, 10); // a is the oldest (c and e were used after it)
    expect(evicted).toEqual(['b', 'a']);
    expect([...lru.entries()].map(([key]) => key)).toEqual(['c', 'e', 'f']);
  });

  it('moves a key back to the newest after its place was taken, and ignores unknown keys', () => {
    const lru = new LruBytes<string, number>(100);
    lru.set('a', 1, 10);
    lru.set('b', 2, 10);
    lru.touch('a');
    lru.touch('missing');
    lru.delete('a'); // the newest goes: the next touch of b must still move it
    lru.set('c', 3, 10);
    lru.touch('b');
    expect([...lru.entries()].map(([key]) => key)).toEqual(['c', 'b']);
    lru.clear();
    lru.set('b', 2, 10);
    lru.set('x', 9, 10);
    lru.touch('b');
    expect([...lru.entries()].map(([key]) => key)).toEqual(['x', 'b']);
  });
});
