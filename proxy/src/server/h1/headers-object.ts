// The `headers` object of an HTTP/1.1 request read by the native server, built as node:http builds
// IncomingMessage.headers (names lowercased; set-cookie a list; one value kept of the fields that
// must not repeat; cookie joined with "; ", the rest with ", "), so code that reads it sees the same
// values on either server. No prototype, and "__proto__" dropped (node's assignment ignores it too).
import type { IncomingHttpHeaders } from 'node:http';

/** Fields of which node keeps the first value only (matchKnownFields' "discard duplicates"). */
const FIRST_WINS = new Set([
  'content-type',
  'content-length',
  'user-agent',
  'referer',
  'host',
  'authorization',
  'proxy-authorization',
  'if-modified-since',
  'if-unmodified-since',
  'from',
  'location',
  'max-forwards',
  'retry-after',
  'etag',
  'last-modified',
  'server',
  'age',
  'expires',
]);

export function headersObject(raw: readonly string[]): IncomingHttpHeaders {
  const headers = Object.create(null) as Record<string, string | string[]>;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    const value = raw[i + 1];
    const current = headers[name];
    if (current === undefined) {
      if (name === '__proto__') continue;
      headers[name] = name === 'set-cookie' ? [value] : value;
    } else if (name === 'set-cookie') {
      (current as string[]).push(value);
    } else if (!FIRST_WINS.has(name)) {
      headers[name] = `${current as string}${name === 'cookie' ? '; ' : ', '}${value}`;
    }
  }
  return headers as IncomingHttpHeaders;
}
