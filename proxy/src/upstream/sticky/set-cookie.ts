// Set-Cookie on the way out (the sticky cookie, attributes exactly as configured and none that
// are not) and on the way in (the app's own session cookie, for sticky learn).
import type { ResolvedStickyCookie } from '../../config/resolved';
import { STICKY_EXPIRES_MAX_SECONDS } from '../../config/defaults';
import { trimValue } from './request-cookies';

const SAME_SITE = { strict: 'Strict', lax: 'Lax', none: 'None' } as const;

/** `name=value` and the configured attributes; no Max-Age makes a session cookie (NGINX: no expires). */
export function formatStickyCookie(config: ResolvedStickyCookie, value: string): string {
  let out = `${config.name}=${value}`;
  if (config.expires !== null) out += `; Max-Age=${config.expires === 'max' ? STICKY_EXPIRES_MAX_SECONDS : config.expires}`;
  if (config.domain !== null) out += `; Domain=${config.domain}`;
  if (config.path !== null) out += `; Path=${config.path}`;
  if (config.httpOnly) out += '; HttpOnly';
  if (config.secure) out += '; Secure';
  if (config.sameSite !== null) out += `; SameSite=${SAME_SITE[config.sameSite]}`;
  return out;
}

/** The value a Set-Cookie header gives cookie `name`, or null when it sets another cookie. */
export function setCookieValue(header: string, name: string): string | null {
  let start = 0;
  while (start < header.length && (header.charCodeAt(start) === 32 || header.charCodeAt(start) === 9)) start++;
  const nameEnd = start + name.length;
  if (header.charCodeAt(nameEnd) !== 61 /* = */ || !header.startsWith(name, start)) return null;
  let stop = header.indexOf(';', nameEnd);
  if (stop === -1) stop = header.length;
  return trimValue(header, nameEnd + 1, stop);
}
