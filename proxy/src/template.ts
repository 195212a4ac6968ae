// NGINX-style variables in config strings: hash keys ("$request_uri"), redirect targets
// ("https://$host$request_uri"), header values. Compiled once at config load, evaluated per request.
import type { IncomingHttpHeaders } from 'node:http';

export interface TemplateContext {
  remoteAddr: string;
  scheme: string;
  host: string;
  method: string;
  /** The request target as received: path and query. */
  url: string;
  headers: IncomingHttpHeaders;
}

export type Template = (ctx: TemplateContext) => string;

type Part = string | Template;

const SIMPLE: Record<string, Template> = {
  remote_addr: (c) => c.remoteAddr,
  scheme: (c) => c.scheme,
  host: (c) => c.host,
  request_method: (c) => c.method,
  request_uri: (c) => c.url,
  uri: (c) => pathOf(c.url),
  args: (c) => queryOf(c.url),
  query_string: (c) => queryOf(c.url),
};

const PREFIXED: [prefix: string, make: (name: string) => Template][] = [
  ['http_', (name) => { const h = name.replace(/_/g, '-'); return (c) => headerValue(c.headers[h]); }],
  ['cookie_', (name) => (c) => cookieValue(c.headers.cookie, name)],
  ['arg_', (name) => (c) => new URLSearchParams(queryOf(c.url)).get(name) ?? ''],
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
  if (parts.length === 1 && typeof parts[0] === 'function') return parts[0];
  if (parts.every((p) => typeof p === 'string')) {
    const text = parts.join('');
    return () => text;
  }
  return (ctx) => {
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(ctx);
    return out;
  };
}

function variable(name: string): Template {
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
