// The validators and type of a served file, as NGINX writes them: ETag "<mtime hex>-<size hex>",
// Last-Modified from the mtime in seconds, the type from the extension (mime-types; charset=utf-8
// for text), and `expires` as Cache-Control max-age plus Expires.
import mime from 'mime-types';

/** NGINX default_type. */
const DEFAULT_TYPE = 'application/octet-stream';
/** `expires max`: one year, and the content never changes under its URL (immutable). */
export const MAX_AGE_SECONDS = 365 * 24 * 3600;
const MAX_TYPES_KEPT = 512;

const types = new Map<string, string>();

/** Content-Type for a file name (the part after the last "/"). */
export function contentTypeOf(path: string): string {
  const dot = path.lastIndexOf('.');
  if (dot === -1 || dot < path.lastIndexOf('/')) return DEFAULT_TYPE;
  const ext = path.slice(dot + 1).toLowerCase();
  let type = types.get(ext);
  if (type === undefined) {
    type = mime.contentType(ext) || DEFAULT_TYPE;
    if (types.size < MAX_TYPES_KEPT) types.set(ext, type);
  }
  return type;
}

let etagMtime = -1;
let etagSize = -1;
let etagText = '';

/** NGINX's strong ETag: "<mtime seconds in hex>-<size in hex>" (the last one is kept, as the date). */
export function etagOf(mtimeSeconds: number, size: number): string {
  if (mtimeSeconds !== etagMtime || size !== etagSize) {
    etagText = `"${mtimeSeconds.toString(16)}-${size.toString(16)}"`;
    etagMtime = mtimeSeconds;
    etagSize = size;
  }
  return etagText;
}

/** Small numbers as text, converted once (a file's Content-Length, per request otherwise); bounded: Range lengths are the client's choice. */
const DECIMALS: string[] = [];
const DECIMALS_MAX = 1 << 14;

export function decimal(n: number): string {
  if (n >= DECIMALS_MAX) return String(n);
  return (DECIMALS[n] ??= String(n));
}

let lastModifiedSeconds = -1;
let lastModifiedText = '';

/** The HTTP date of `seconds` (the last one is kept: most requests ask for the same few files). */
export function httpDateOf(seconds: number): string {
  if (seconds !== lastModifiedSeconds) {
    lastModifiedText = new Date(seconds * 1000).toUTCString();
    lastModifiedSeconds = seconds;
  }
  return lastModifiedText;
}

/** Cache-Control and Expires for `expires` (seconds, or 'max'), appended to `headers`. */
export function pushExpires(headers: string[], expires: number | 'max'): void {
  if (expires === 'max') {
    headers.push('cache-control', `max-age=${MAX_AGE_SECONDS}, immutable`, 'expires', expiresIn(MAX_AGE_SECONDS));
  } else {
    headers.push('cache-control', `max-age=${expires}`, 'expires', expiresIn(expires));
  }
}

let expiresNow = -1;
let expiresAge = -1;
let expiresText = '';

/** The HTTP date `age` seconds from now, computed at most once a second per age. */
function expiresIn(age: number): string {
  const now = Math.floor(Date.now() / 1000);
  if (now !== expiresNow || age !== expiresAge) {
    expiresText = new Date((now + age) * 1000).toUTCString();
    expiresNow = now;
    expiresAge = age;
  }
  return expiresText;
}
