// sticky learn's sessions: the app's session cookie value -> the id of the server that issued it.
// Kept by the ServerBook per upstream (it outlives reloads; a multi-worker primary will own it),
// holding server ids rather than run-time servers, which a reload replaces. Bounded: an entry
// expires `timeout` after its last use, and past `maxEntries` the least recently used goes first.

interface Entry {
  serverId: string;
  lastUsed: number;
}

export class LearnTable {
  /** Map order is insertion order: a use re-inserts, so the first entry is the least recently used. */
  private readonly entries = new Map<string, Entry>();

  constructor(
    private timeout: number,
    private maxEntries: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** A reload may change the limits; a smaller bound takes effect at once. */
  configure(timeout: number, maxEntries: number): void {
    this.timeout = timeout;
    this.maxEntries = maxEntries;
    while (this.entries.size > maxEntries) this.dropOldest();
  }

  /** The server id learned for `value`, or null (unknown or expired); a hit counts as a use. */
  lookup(value: string, now: number): string | null {
    const entry = this.entries.get(value);
    if (entry === undefined) return null;
    this.entries.delete(value);
    if (now - entry.lastUsed > this.timeout) return null;
    entry.lastUsed = now;
    this.entries.set(value, entry);
    return entry.serverId;
  }

  /** Binds `value` to `serverId` (a new session, or the app setting it again after a move). */
  learn(value: string, serverId: string, now: number): void {
    const entry = this.entries.get(value);
    if (entry !== undefined) {
      this.entries.delete(value);
      entry.serverId = serverId;
      entry.lastUsed = now;
      this.entries.set(value, entry);
      return;
    }
    this.dropExpired(now);
    if (this.entries.size >= this.maxEntries) this.dropOldest();
    this.entries.set(value, { serverId, lastUsed: now });
  }

  /** Expired entries sit at the front (least recently used first): dropping them costs what they cost to add. */
  private dropExpired(now: number): void {
    for (const [value, entry] of this.entries) {
      if (now - entry.lastUsed <= this.timeout) return;
      this.entries.delete(value);
    }
  }

  private dropOldest(): void {
    const first = this.entries.keys().next();
    if (first.done !== true) this.entries.delete(first.value);
  }
}
