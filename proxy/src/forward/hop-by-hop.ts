// Headers that describe one connection and must not cross the proxy (RFC 9110 §7.6.1), plus
// `expect` (the proxy answers 100-continue itself) and `http2-settings` (h2c upgrade).
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
  'expect',
  'http2-settings',
]);

/**
 * Extra names listed in a Connection header ("Connection: close, x-secret"), lowercased. Host is
 * never one: every request carries it (RFC 9110 §7.2), and a client must not make it vanish.
 */
export function connectionTokens(value: string): string[] {
  const out: string[] = [];
  if (value.length <= 10 && /^(keep-alive|close)$/i.test(value)) return out; // the usual value, fast
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase();
    if (name && name !== 'close' && name !== 'keep-alive' && name !== 'upgrade' && name !== 'host') out.push(name);
  }
  return out;
}

/** Drops the headers a Connection header named from a flat [name, value, ...] list. */
export function dropNamed(headers: string[], names: readonly string[]): string[] {
  // A hostile list can name thousands of tokens: look them up in a set, not by scanning.
  const set = names.length > 8 ? new Set(names) : null;
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    const lower = headers[i].toLowerCase();
    if (!(set === null ? names.includes(lower) : set.has(lower))) out.push(headers[i], headers[i + 1]);
  }
  return out;
}
