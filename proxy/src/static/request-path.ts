// The request path as a path under the served directory: percent-decoded exactly once, then
// checked segment by segment, so no spelling of ".." (plain, %2e%2e, .%2E, ..%2f) survives.
// A double-encoded %252e%252e decodes once to the literal name "%2e%2e" and stays a file name.

/** Returned for a path that can never name a file under the root: the client gets 400. */
export const BAD_PATH = null;

/**
 * `raw` starts with `/`. The result too, without empty, "." or ".." segments; a trailing `/` is
 * kept (it asks for a directory). BAD_PATH for a malformed escape, NUL, a backslash or "..".
 */
export function decodeRequestPath(raw: string): string | null {
  if (isPlain(raw)) return raw;
  const decoded = percentDecode(raw);
  if (decoded === null) return BAD_PATH;
  let out = '';
  let start = 0;
  for (let i = 0; i <= decoded.length; i++) {
    if (i < decoded.length && decoded.charCodeAt(i) !== 47) continue;
    const segment = decoded.slice(start, i);
    start = i + 1;
    if (segment === '' || segment === '.') continue;
    if (segment === '..') return BAD_PATH;
    out += `/${segment}`;
  }
  if (out === '' || decoded.charCodeAt(decoded.length - 1) === 47) out += '/';
  return out;
}

/**
 * Whether `raw` needs no decoding or normalizing: no %, backslash, NUL, "//" or "/." (the common
 * case costs one scan and no allocation).
 */
function isPlain(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 37 || c === 92 || c === 0) return false; // % \ NUL
    if (c === 47 && i + 1 < raw.length) {
      const n = raw.charCodeAt(i + 1);
      if (n === 47 || n === 46) return false; // "//" "/."
    }
  }
  return true;
}

/** One pass of %XX decoding to UTF-8; null for a bad escape, invalid UTF-8, NUL or a backslash. */
function percentDecode(raw: string): string | null {
  const bytes = Buffer.allocUnsafe(Buffer.byteLength(raw));
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 37) {
      const hi = hexValue(raw.charCodeAt(i + 1));
      const lo = hexValue(raw.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) return null;
      bytes[n++] = (hi << 4) | lo;
      i += 2;
    } else if (c < 128) {
      bytes[n++] = c;
    } else {
      // node's parser hands over the target as latin1: one byte per char
      bytes[n++] = c & 0xff;
    }
  }
  let text: string;
  try {
    text = utf8.decode(bytes.subarray(0, n));
  } catch {
    return null;
  }
  // A backslash is a separator on Windows and never a name a URL should reach on POSIX; NUL would
  // end the name at the system call.
  return text.includes('\\') || text.includes('\0') ? null : text;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}
