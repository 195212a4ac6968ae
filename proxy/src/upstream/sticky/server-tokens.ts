// The sticky cookie's value: an opaque token per server, HMAC-SHA256(key, server id), so every
// proxy that shares the key (replicas, workers, the next start) gives one server the same value,
// and a client cannot name a server, or learn its id, without the key. Checked in constant time
// against every server's token; a client's value is never a lookup key.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { UpstreamServer } from '../upstream-server';

/** 22 base64url characters: 132 bits of the HMAC, more than the 128 a guess would need to beat. */
export const TOKEN_LENGTH = 22;

export function serverToken(key: string, serverId: string): string {
  return createHmac('sha256', key).update(serverId).digest('base64url').slice(0, TOKEN_LENGTH);
}

interface Entry {
  server: UpstreamServer;
  token: Buffer;
  /** The whole Set-Cookie value for this server, built once. */
  setCookie: string;
}

/**
 * Tokens of one upstream's servers. Rebuilt when the server list changes (a reload or an admin
 * change gives a new list), never per request.
 */
export class ServerTokens {
  private builtFor: readonly UpstreamServer[] | null = null;
  private builtCount = 0;
  private entries: Entry[] = [];

  constructor(
    private readonly key: string,
    private readonly formatSetCookie: (token: string) => string,
  ) {}

  /** The server whose token is among `values` (the first value that matches one), or null. */
  find(values: readonly string[], servers: readonly UpstreamServer[]): UpstreamServer | null {
    const entries = this.entriesFor(servers);
    for (let v = 0; v < values.length; v++) {
      const given = tokenBytes(values[v]);
      if (given === null) continue;
      let match: UpstreamServer | null = null;
      // Every server is compared, whatever matched: the time taken does not tell which did.
      for (let i = 0; i < entries.length; i++) {
        if (timingSafeEqual(given, entries[i].token) && match === null) match = entries[i].server;
      }
      if (match !== null) return match;
    }
    return null;
  }

  /** Whether `values` hold `server`'s token. */
  presents(values: readonly string[], server: UpstreamServer, servers: readonly UpstreamServer[]): boolean {
    const entry = this.entryOf(server, servers);
    if (entry === null) return false;
    for (let v = 0; v < values.length; v++) {
      const given = tokenBytes(values[v]);
      if (given !== null && timingSafeEqual(given, entry.token)) return true;
    }
    return false;
  }

  /** The Set-Cookie value that binds a client to `server`; null for a server not in the list. */
  setCookieFor(server: UpstreamServer, servers: readonly UpstreamServer[]): string | null {
    return this.entryOf(server, servers)?.setCookie ?? null;
  }

  private entryOf(server: UpstreamServer, servers: readonly UpstreamServer[]): Entry | null {
    const entries = this.entriesFor(servers);
    for (let i = 0; i < entries.length; i++) if (entries[i].server === server) return entries[i];
    return null;
  }

  private entriesFor(servers: readonly UpstreamServer[]): Entry[] {
    if (servers !== this.builtFor || servers.length !== this.builtCount) {
      const known = new Map(this.entries.map((e) => [e.server.id, e]));
      this.entries = servers.map((server) => {
        const old = known.get(server.id);
        const token = old?.token.toString('latin1') ?? serverToken(this.key, server.id);
        return { server, token: Buffer.from(token, 'latin1'), setCookie: old?.setCookie ?? this.formatSetCookie(token) };
      });
      this.builtFor = servers;
      this.builtCount = servers.length;
    }
    return this.entries;
  }
}

/** The bytes of a value shaped like a token, or null (a length is no secret: it is the same for all). */
function tokenBytes(value: string): Buffer | null {
  return value.length === TOKEN_LENGTH ? Buffer.from(value, 'latin1') : null;
}
