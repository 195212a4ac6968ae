// NGINX-style variables in config strings: hash keys ("$request_uri"), redirect targets
// ("https://$host$request_uri"), header values. Compiled once at config load, evaluated per request.
//
// Values are raw, as received: $arg_name is not percent-decoded (as NGINX), and $uri is the raw
// path, where NGINX's $uri is decoded and normalized ("/a/../%62" -> "/b"). Raw is the safe choice
// here: a decoded "%0d%0a" would put CR LF into a header value.
import type { IncomingHttpHeaders } from 'node:http';
import { equalsLowercaseAt } from './net/ascii';
import { hostName } from './router';

export interface TemplateContext {
  remoteAddr: string;
  scheme: string;
  host: string;
  method: string;
  /** The request target as received: path and query. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The raw header list, when the request has one (cheaper to scan than `headers`, built lazily). */
  readonly rawHeaders?: readonly string[];
  /** $upstream_cache_status: set by the cache on routes that have one (MISS, HIT, ...). */
  cacheStatus?: string;
}

export interface Template {
  (ctx: TemplateContext): string;
  /**
   * True when the template has no variables: the same text for every request, checked once at
   * config load. (Optional so a plain function can serve as a Template, e.g. the ip-hash key.)
   */
  readonly constant?: boolean;
}

type Evaluate = (ctx: TemplateContext) => string;
type Part = string | Evaluate;

const SIMPLE: Record<string, Evaluate> = {
  remote_addr: (c) => c.remoteAddr,
  scheme: (c) => c.scheme,
  host: (c) => hostName(c.host), // NGINX: the Host without port, lowercased
  request_method: (c) => c.method,
  request_uri: (c) => c.url,
  uri: (c) => pathOf(c.url),
  args: (c) => queryOf(c.url),
  query_string: (c) => queryOf(c.url),
  upstream_cache_status: (c) => c.cacheStatus ?? '',
};

const PREFIXED: [prefix: string, make: (name: string) => Evaluate][] = [
  ['http_', (name) => { const h = name.replace(/_/g, '-'); return (c) => headerValue(c.headers[h]); }],
  ['cookie_', (name) => (c) => cookieValue(c.headers.cookie, name)],
  ['arg_', (name) => (c) => argValue(c.url, name)],
];

/** Compiles "text $var ${var}text" into a function; throws naming an unknown variable. */
export function compileTemplate(source: string): Template {
  const parts: Part[] = [];
  const re = /\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g;
  let last = 0;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    if (m.index > last) parts.push(source.slice(last, m.index));
    parts.push(variable(m[1] ?? m[2]));
    last = m.index + m[0].length;
  }
  if (last < source.length) parts.push(source.slice(last));
  if (parts.length === 1 && typeof parts[0] === 'function') return template(parts[0], false);
  if (parts.every((p) => typeof p === 'string')) {
    const text = parts.join('');
    return template(() => text, true);
  }
  return template((ctx) => {
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(ctx);
    return out;
  }, false);
}

function template(evaluate: Evaluate, constant: boolean): Template {
  return Object.assign(evaluate, { constant });
}

function variable(name: string): Evaluate {
  const simple = SIMPLE[name];
  if (simple) return simple;
  for (const [prefix, make] of PREFIXED) {
    if (name.startsWith(prefix) && name.length > prefix.length) return make(name.slice(prefix.length).toLowerCase());
  }
  throw new Error(`unknown variable $${name}`);
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function queryOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? '' : url.slice(q + 1);
}

/**
 * NGINX $arg_name: the first "name=value" of the query whose name matches case-insensitively
 * (`name` is lowercased), its value raw; "" when absent.
 */
function argValue(url: string, name: string): string {
  const q = url.indexOf('?');
  if (q === -1) return '';
  for (let start = q + 1; start < url.length; ) {
    let end = url.indexOf('&', start);
    if (end === -1) end = url.length;
    const nameEnd = start + name.length;
    if (nameEnd <= end && equalsLowercaseAt(url, start, name) && (nameEnd === end || url.charCodeAt(nameEnd) === 61 /* = */)) {
      return nameEnd === end ? '' : url.slice(nameEnd + 1, end);
    }
    start = end + 1;
  }
  return '';
}

function headerValue(value: string | string[] | undefined): string {
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join(', ') : value;
}

export function cookieValue(header: string | undefined, name: string): string {
  if (!header) return '';
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq !== -1 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return '';
}
