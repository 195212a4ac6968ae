// TLS session cache (NGINX ssl_session_cache shared): resumption by session id for clients that do
// not use tickets. Node keeps no server-side cache of its own (OpenSSL's internal cache is off), so
// the 'newSession' / 'resumeSession' events store sessions here: bounded, oldest out first,
// expired on read.
import { TLS_SESSION_TIMEOUT_SECONDS } from './tls-settings';

/** About 1 KiB a session: ~10 MiB at most (NGINX's 1m holds ~4000 sessions). */
const MAX_SESSIONS = 10_000;

export class SessionCache {
  private readonly sessions = new Map<string, { data: Buffer; expires: number }>();

  constructor(
    private readonly maxSessions = MAX_SESSIONS,
    private readonly ttlMs = TLS_SESSION_TIMEOUT_SECONDS * 1000,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  store(id: Buffer, data: Buffer): void {
    const key = id.toString('hex');
    this.sessions.delete(key);
    this.sessions.set(key, { data, expires: Date.now() + this.ttlMs });
    if (this.sessions.size > this.maxSessions) this.sessions.delete(this.sessions.keys().next().value as string);
  }

  find(id: Buffer): Buffer | null {
    const key = id.toString('hex');
    const entry = this.sessions.get(key);
    if (entry === undefined) return null;
    if (entry.expires <= Date.now()) {
      this.sessions.delete(key);
      return null;
    }
    return entry.data;
  }
}
