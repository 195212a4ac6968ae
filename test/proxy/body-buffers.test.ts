import { recycleBodyBuffer, takeBodyBuffer } from '../../proxy/src/upstream/h1/body-buffers';

describe('gathered body buffers', () => {
  it('hands out exactly the asked length', () => {
    for (const n of [1, 100, 4096, 5000, 65_536, 1024 * 1024]) expect(takeBodyBuffer(n).length).toBe(n);
  });

  it('reuses the memory of a recycled body for the next body of its size class', () => {
    const first = takeBodyBuffer(60_000);
    recycleBodyBuffer(first);
    const second = takeBodyBuffer(50_000); // same 64 KiB class
    expect(second.buffer).toBe(first.buffer);
    const third = takeBodyBuffer(50_000); // the free list is empty again
    expect(third.buffer).not.toBe(first.buffer);
  });

  it('takes memory given back twice only once: two bodies never share it', () => {
    const first = takeBodyBuffer(60_000);
    recycleBodyBuffer(first);
    recycleBodyBuffer(first);
    const a = takeBodyBuffer(60_000);
    const b = takeBodyBuffer(60_000);
    expect(a.buffer).toBe(first.buffer);
    expect(b.buffer).not.toBe(a.buffer);
  });

  it('ignores buffers it did not hand out', () => {
    const foreign = Buffer.alloc(65_536);
    recycleBodyBuffer(foreign);
    expect(takeBodyBuffer(65_536).buffer).not.toBe(foreign.buffer);
  });

  it('bounds the memory it keeps per size class', () => {
    const bodies = Array.from({ length: 100 }, () => takeBodyBuffer(1024 * 1024));
    bodies.forEach(recycleBodyBuffer);
    const reused = Array.from({ length: 100 }, () => takeBodyBuffer(1024 * 1024)).filter((b) => bodies.some((o) => o.buffer === b.buffer));
    expect(reused).toHaveLength(4); // 4 MiB of 1 MiB buffers
  });
});
