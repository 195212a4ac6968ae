// An HTTP/2 request head as the proxy forwards it over HTTP/1.1 (RFC 9113 §8.3.1, §8.2.2, §8.2.3):
// :authority becomes Host (a Host that names another authority is refused), pseudo-headers never
// leave, connection-specific fields are dropped (nghttp2 already refuses them as malformed: this is
// the second line), TE is kept only as "trailers" (then dropped as hop-by-hop anyway), and cookie
// fields are joined with "; " into one. A body without Content-Length is marked
// "transfer-encoding: chunked", which is how it will travel upstream.
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestRejection } from '../server/request-checks';

/** Never forwarded from an HTTP/2 request (RFC 9113 §8.2.2). */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'cookie']);

export interface H2RequestHead {
  method: string;
  /** :path: path and query. */
  url: string;
  /** :authority, or Host when the client sent only that. */
  host: string;
  /** Flat [name, value, ...] for the forwarding code: host first, no pseudo-headers. */
  raw: string[];
}

const BAD_REQUEST: RequestRejection = { status: 400, code: 'BAD_REQUEST' };
const HOST_MISMATCH: RequestRejection = { status: 400, code: 'HOST_MISMATCH' };

/** `hasBody`: the HEADERS frame did not end the stream. */
export function translateRequestHead(headers: IncomingHttpHeaders, rawHeaders: readonly string[], hasBody: boolean): H2RequestHead | RequestRejection {
  const method = headers[':method'] as string | undefined;
  const url = headers[':path'] as string | undefined;
  if (method === undefined || url === undefined || url.charCodeAt(0) !== 47 /* / */) return BAD_REQUEST;
  const authority = headers[':authority'] as string | undefined;
  const hostField = headers.host;
  if (authority !== undefined && hostField !== undefined && hostField !== authority) return HOST_MISMATCH;
  const host = authority ?? hostField ?? '';
  const raw: string[] = ['host', host];
  let cookie = '';
  let contentLength = false;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]; // lowercase: HTTP/2 refuses uppercase names (RFC 9113 §8.2.1)
    if (name.charCodeAt(0) === 58 /* : */) continue;
    if (CONNECTION_SPECIFIC.has(name)) {
      if (name === 'cookie') cookie = cookie ? `${cookie}; ${rawHeaders[i + 1]}` : rawHeaders[i + 1];
      continue;
    }
    if (name === 'te' && rawHeaders[i + 1].trim().toLowerCase() !== 'trailers') continue;
    if (name === 'content-length') contentLength = true;
    raw.push(name, rawHeaders[i + 1]);
  }
  if (cookie) raw.push('cookie', cookie);
  if (hasBody && !contentLength) raw.push('transfer-encoding', 'chunked');
  if (hostField === undefined) headers.host = host; // $http_host and friends read the object
  return { method, url, host, raw };
}

/** Fields an HTTP/2 response must not carry (node throws on them); the rest are lowercased. */
export const H2_FORBIDDEN_RESPONSE = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'http2-settings', 'te', 'trailer']);

/**
 * Response fields node:http2 takes once only (it throws on a list): an upstream that repeats one
 * gets its first value through, as HTTP/1.1 clients see the first. Measured on Node 20.
 */
export const H2_SINGLE_VALUE = new Set([
  'access-control-allow-credentials', 'access-control-max-age', 'access-control-request-method', 'age', 'authorization',
  'content-encoding', 'content-language', 'content-length', 'content-location', 'content-md5', 'content-range',
  'content-type', 'date', 'dnt', 'etag', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match',
  'if-range', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization', 'range',
  'referer', 'retry-after', 'tk', 'upgrade-insecure-requests', 'user-agent', 'x-content-type-options',
]);
