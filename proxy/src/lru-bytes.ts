// A least-recently-used map bounded in bytes (a cache zone's memory tier, the disk tier's index,
// minUses counts) or, with a size of 1 an item, in entries (the static open file cache and its
// missing paths). A Map keeps insertion order, so "touch" is delete + set and the oldest is the
// first key: O(1) per operation, no linked list to maintain by hand. The most recently used key is
// known, so touching it again (a hot entry hit after hit) moves nothing.

export class LruBytes<K, V> {
  private readonly items = new Map<K, { value: V; size: number }>();
  private used = 0;
  /** The last key set or touched while it is still in (undefined: not known). */
  private newest: K | undefined = undefined;

  /** `evicted` is called for each item pushed out to make room (never for delete() or clear()). */
  constructor(
    private limit: number,
    private readonly evicted: (key: K, value: V) => void = () => undefined,
  ) {}

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.items.size;
  }

  get maxBytes(): number {
    return this.limit;
  }

  has(key: K): boolean {
    return this.items.has(key);
  }

  /** The value, marked most recently used. */
  get(key: K): V | undefined {
    const item = this.items.get(key);
    if (item === undefined) return undefined;
    if (key !== this.newest) {
      this.items.delete(key);
      this.items.set(key, item);
      this.newest = key;
    }
    return item.value;
  }

  /** Marks `key` most recently used (nothing when it is not in, or already the newest). */
  touch(key: K): void {
    if (key === this.newest) return;
    const item = this.items.get(key);
    if (item === undefined) return;
    this.items.delete(key);
    this.items.set(key, item);
    this.newest = key;
  }

  /** The value without changing its place. */
  peek(key: K): V | undefined {
    return this.items.get(key)?.value;
  }

  /**
   * Adds (or replaces) as most recently used, then evicts the least recently used until the total
   * fits. False, and nothing stored, when the item alone is larger than the bound.
   */
  set(key: K, value: V, size: number): boolean {
    this.delete(key);
    if (size > this.limit) return false;
    this.items.set(key, { value, size });
    this.newest = key;
    this.used += size;
    this.trim();
    return true;
  }

  delete(key: K): V | undefined {
    const item = this.items.get(key);
    if (item === undefined) return undefined;
    if (key === this.newest) this.newest = undefined;
    this.items.delete(key);
    this.used -= item.size;
    return item.value;
  }

  /** A new bound: evicts the least recently used until the total fits. */
  resize(limit: number): void {
    this.limit = limit;
    this.trim();
  }

  clear(): void {
    this.newest = undefined;
    this.items.clear();
    this.used = 0;
  }

  /** Least recently used first. */
  *entries(): IterableIterator<[K, V]> {
    for (const [key, item] of this.items) yield [key, item.value];
  }

  private trim(): void {
    while (this.used > this.limit) {
      const oldest = this.items.keys().next();
      if (oldest.done === true) return;
      const value = this.delete(oldest.value) as V;
      this.evicted(oldest.value, value);
    }
  }
}
