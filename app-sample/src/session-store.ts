// An in-memory session store with a size bound. express-session's MemoryStore never forgets a
// session that is not visited again, so a load test without cookies (one new session a request)
// would grow it without limit; here the least recently used session goes first.
import { Store, type SessionData } from 'express-session';

interface Entry {
  json: string;
  expiresAt: number;
}

type Callback = (err?: unknown) => void;

export class BoundedMemoryStore extends Store {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly maxSessions = 10_000,
    private readonly defaultTtlMs = 24 * 3600_000,
  ) {
    super();
  }

  get size(): number {
    return this.#entries.size;
  }

  get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    const entry = this.#live(sid);
    if (!entry) return callback(null, null);
    // Map order is insertion order: re-inserting marks the session most recently used
    this.#entries.delete(sid);
    this.#entries.set(sid, entry);
    callback(null, JSON.parse(entry.json) as SessionData);
  }

  set(sid: string, session: SessionData, callback?: Callback): void {
    this.#entries.delete(sid);
    this.#entries.set(sid, { json: JSON.stringify(session), expiresAt: this.#expiry(session) });
    while (this.#entries.size > this.maxSessions) this.#entries.delete(this.#entries.keys().next().value!);
    callback?.();
  }

  touch(sid: string, session: SessionData, callback?: Callback): void {
    const entry = this.#live(sid);
    if (entry) entry.expiresAt = this.#expiry(session);
    callback?.();
  }

  destroy(sid: string, callback?: Callback): void {
    this.#entries.delete(sid);
    callback?.();
  }

  #live(sid: string): Entry | undefined {
    const entry = this.#entries.get(sid);
    if (entry && entry.expiresAt <= Date.now()) {
      this.#entries.delete(sid);
      return undefined;
    }
    return entry;
  }

  #expiry(session: SessionData): number {
    const expires = session.cookie?.expires;
    return expires ? new Date(expires).getTime() : Date.now() + this.defaultTtlMs;
  }
}
