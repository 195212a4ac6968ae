// Who may use the admin listener: a bearer token, required off loopback (and everywhere with
// requireToken), compared in constant time; and which configs may not run at all.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ResolvedAdmin } from '../config/resolved';
import { ipBytes } from '../net/cidr';

/** 127.0.0.0/8, ::1 (and ::ffff:127.x), or the name localhost. 0.0.0.0 and :: are not: they bind every interface. */
export function isLoopback(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  const bytes = ipBytes(host);
  if (bytes === null) return false;
  if (bytes.length === 4) return bytes[0] === 127;
  return bytes.every((b, i) => b === (i === 15 ? 1 : 0));
}

export function tokenRequired(admin: ResolvedAdmin): boolean {
  return admin.requireToken || !isLoopback(admin.host);
}

/** Thrown by start and reload: this admin config would expose the API without a token. */
export class AdminConfigError extends Error {
  readonly path = 'admin';
}

/** Why this admin config cannot run (a token is needed and none is configured), or null. */
export function adminConfigProblem(admin: ResolvedAdmin): string | null {
  if (admin.token !== null || !tokenRequired(admin)) return null;
  const where = admin.host.includes(':') ? `[${admin.host}]:${admin.port}` : `${admin.host}:${admin.port}`;
  const why = admin.requireToken ? 'admin.requireToken is set' : `admin listener ${where} is not on loopback`;
  return `${why} but no token is configured: set admin.token, admin.tokenFile or env PORTICO_ADMIN_TOKEN`;
}

export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/**
 * Whether an Authorization header carries the token. Both sides are hashed first, so the compare
 * takes the same time whatever the length or content of what was sent.
 */
export function bearerMatches(header: string | undefined, digest: Buffer): boolean {
  const m = header === undefined ? null : /^Bearer +([\x21-\x7e]+) *$/i.exec(header);
  const same = timingSafeEqual(tokenDigest(m === null ? '' : m[1]), digest);
  return same && m !== null;
}
