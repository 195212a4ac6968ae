// What on-the-fly compression reads and changes in a response head (flat [name, value, ...]).
// Mirrors NGINX's gzip filter: only statuses with a body, a listed Content-Type, at least
// gzip_min_length bytes, nothing encoded already, no Content-Range, and `no-transform` respected
// (RFC 9111 §5.2.2.6). A compressed head loses Content-Length and Accept-Ranges, gains
// Content-Encoding and `Vary: Accept-Encoding` (gzip_vary), and its ETag becomes weak (RFC 9110
// §8.8.3: the bytes differ from the identity representation's).
import type { ResolvedCompress } from '../config/resolved';
import { equalsLowercaseAt } from '../net/ascii';
import type { Encoding } from './accept-encoding';

/** Content-Length when a response is a candidate for compression (-1: unknown length), else null. */
export function compressibleLength(status: number, headers: readonly string[], config: ResolvedCompress): number | null {
  if (status < 200 || status === 204 || status === 206 || status === 304) return null;
  let length = -1;
  let typed = false;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i];
    const value = headers[i + 1];
    // by length first: no lowercased copy of every name per response
    switch (name.length) {
      case 12:
        if (is(name, 'content-type')) typed = listedType(value, config.types);
        break;
      case 14:
        if (is(name, 'content-length')) length = parseLength(value);
        break;
      case 16:
        if (is(name, 'content-encoding') && value.trim().toLowerCase() !== 'identity') return null; // never twice
        break;
      case 13:
        if (is(name, 'content-range')) return null;
        if (is(name, 'cache-control') && /(?:^|[\s,])no-transform(?:$|[\s,;=])/i.test(value)) return null;
        break;
    }
  }
  if (!typed || length === -2) return null;
  if (length >= 0 && length < config.minLength) return null;
  return length;
}

/**
 * The head as sent: compressed with `encoding`, or (null: the client accepts none) unchanged but
 * for Vary, so a shared cache does not hand the identity body to a client that asked for gzip.
 */
export function compressedHead(headers: readonly string[], encoding: Encoding | null): string[] {
  const out: string[] = [];
  let varied = false;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i];
    let value = headers[i + 1];
    const n = name.length;
    if (n === 4 && is(name, 'vary')) {
      if (!varied) value = withAcceptEncoding(value);
      varied = true;
    } else if (encoding !== null) {
      if ((n === 14 && is(name, 'content-length')) || (n === 13 && is(name, 'accept-ranges')) || (n === 16 && is(name, 'content-encoding'))) continue;
      if (n === 4 && is(name, 'etag') && !value.startsWith('W/')) value = `W/${value}`;
    }
    out.push(name, value);
  }
  if (!varied) out.push('Vary', 'Accept-Encoding');
  if (encoding !== null) out.push('Content-Encoding', encoding);
  return out;
}

function withAcceptEncoding(vary: string): string {
  if (/(?:^|,)\s*(?:\*|accept-encoding)\s*(?:,|$)/i.test(vary)) return vary;
  return vary.trim().length === 0 ? 'Accept-Encoding' : `${vary}, Accept-Encoding`;
}

/** The media type (no parameters) is listed, exactly or as `type/*`. */
function listedType(contentType: string, types: ReadonlySet<string>): boolean {
  const semi = contentType.indexOf(';');
  const media = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (types.has(media)) return true;
  const slash = media.indexOf('/');
  return slash > 0 && types.has(`${media.slice(0, slash)}/*`);
}

/** -2 for a value that is not a plain decimal (the response is then passed on untouched). */
function parseLength(value: string): number {
  return /^\s*\d{1,15}\s*$/.test(value) ? Number(value) : -2;
}

/** `name` (of the length of `lower`) is `lower`, ASCII case-insensitively. */
function is(name: string, lower: string): boolean {
  return name.length === lower.length && equalsLowercaseAt(name, 0, lower);
}
