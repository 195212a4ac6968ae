// The response side of a route's cache: whether an upstream response may be stored and for how
// long, with NGINX's precedence: X-Accel-Expires > Cache-Control (s-maxage, max-age; no-store,
// private, no-cache: not stored) > Expires > proxy_cache_valid for the status; each header
// ignorable per route (proxy_ignore_headers). Set-Cookie or `Vary: *` keep a response out unless
// ignored. RFC 5861 stale-while-revalidate / stale-if-error are read from Cache-Control.
import type { ResolvedRouteCache } from '../config/resolved';

export interface Freshness {
  /** How long the response is fresh, ms. */
  ttl: number;
  /** RFC 5861 windows past expiry, ms (0: none). */
  staleWhileRevalidate: number;
  staleIfError: number;
  /** Cache-Control public, s-maxage or must-revalidate: shareable though the request had Authorization (RFC 9111 §3.5). */
  shareable: boolean;
}

/** What the cache needs from a response head, read in one pass. */
interface CacheHeaders {
  accelExpires: string | null;
  cacheControl: string | null;
  expires: string | null;
  setCookie: boolean;
  varyStar: boolean;
}

/** Statuses never stored whatever the headers say: partial and not-modified answers, informational ones. */
function neverStored(status: number): boolean {
  return status < 200 || status === 206 || status === 304;
}

/** The freshness of a response, or null when it must not be stored. */
export function responseFreshness(status: number, headers: readonly string[], config: ResolvedRouteCache, now: number): Freshness | null {
  if (neverStored(status)) return null;
  const h = readCacheHeaders(headers);
  const ignore = config.ignoreHeaders;
  if (h.setCookie && !ignore.has('set-cookie')) return null;
  if (h.varyStar && !ignore.has('vary')) return null;
  const cc = h.cacheControl !== null && !ignore.has('cache-control') ? parseCacheControl(h.cacheControl) : null;
  const ttl = validity(status, h, cc, config, now);
  if (ttl === null || ttl <= 0) return null;
  return {
    ttl,
    staleWhileRevalidate: cc?.staleWhileRevalidate ?? 0,
    staleIfError: cc?.staleIfError ?? 0,
    shareable: cc !== null && cc.shareable,
  };
}

/** Validity in ms by NGINX's precedence; null or <= 0: not stored. */
function validity(status: number, h: CacheHeaders, cc: CacheControl | null, config: ResolvedRouteCache, now: number): number | null {
  const ignore = config.ignoreHeaders;
  if (h.accelExpires !== null && !ignore.has('x-accel-expires')) {
    const ms = accelExpires(h.accelExpires, now);
    if (ms !== undefined) return ms; // it overrides Cache-Control and Expires, no-store included (as NGINX)
  }
  if (cc !== null) {
    if (cc.noStore) return null;
    if (cc.maxAge !== null) return cc.maxAge;
  }
  if (h.expires !== null && !ignore.has('expires')) {
    const at = Date.parse(h.expires);
    return Number.isNaN(at) ? null : at - now; // NGINX: an invalid or past Expires is not cached
  }
  return config.valid.get(status) ?? config.validAny;
}

/** X-Accel-Expires: seconds, or "@" and an absolute time in seconds since the epoch; 0: not cached. undefined: unparsable (ignored). */
function accelExpires(value: string, now: number): number | undefined {
  const v = value.trim();
  const absolute = v.startsWith('@');
  const digits = absolute ? v.slice(1) : v;
  if (!/^\d{1,12}$/.test(digits)) return undefined;
  const n = Number(digits) * 1000;
  return absolute ? n - now : n;
}

interface CacheControl {
  /** no-store, no-cache or private (NGINX treats all three as "do not cache"). */
  noStore: boolean;
  /** s-maxage, else max-age, in ms; null when neither. */
  maxAge: number | null;
  staleWhileRevalidate: number;
  staleIfError: number;
  shareable: boolean;
}

const MAX_SECONDS = 10 * 365 * 24 * 3600; // bounds absurd values so times stay finite

export function parseCacheControl(value: string): CacheControl {
  const out: CacheControl = { noStore: false, maxAge: null, staleWhileRevalidate: 0, staleIfError: 0, shareable: false };
  let maxAge: number | null = null;
  let sMaxAge: number | null = null;
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    const arg = eq === -1 ? '' : part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    switch (name) {
      case 'no-store':
      case 'no-cache':
      case 'private':
        out.noStore = true;
        break;
      case 'public':
      case 'must-revalidate':
        out.shareable = true;
        break;
      case 's-maxage':
        sMaxAge = seconds(arg);
        out.shareable = true;
        break;
      case 'max-age':
        maxAge = seconds(arg);
        break;
      case 'stale-while-revalidate':
        out.staleWhileRevalidate = (seconds(arg) ?? 0) * 1000;
        break;
      case 'stale-if-error':
        out.staleIfError = (seconds(arg) ?? 0) * 1000;
        break;
    }
  }
  const age = sMaxAge ?? maxAge;
  out.maxAge = age === null ? null : age * 1000;
  return out;
}

function seconds(arg: string): number | null {
  if (!/^\d+$/.test(arg)) return null;
  return Math.min(Number(arg), MAX_SECONDS);
}

function readCacheHeaders(headers: readonly string[]): CacheHeaders {
  const h: CacheHeaders = { accelExpires: null, cacheControl: null, expires: null, setCookie: false, varyStar: false };
  for (let i = 0; i < headers.length; i += 2) {
    const value = headers[i + 1];
    switch (headers[i].toLowerCase()) {
      case 'x-accel-expires':
        h.accelExpires = value;
        break;
      case 'cache-control':
        h.cacheControl = h.cacheControl === null ? value : `${h.cacheControl}, ${value}`;
        break;
      case 'expires':
        h.expires = value;
        break;
      case 'set-cookie':
        h.setCookie = true;
        break;
      case 'vary':
        if (value.split(',').some((t) => t.trim() === '*')) h.varyStar = true;
        break;
    }
  }
  return h;
}
