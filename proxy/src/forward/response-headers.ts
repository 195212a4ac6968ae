// Upstream response head -> the flat [name, value, ...] list written to the client, hop-by-hop
// headers (and those named in Connection) dropped.
import { connectionTokens, dropNamed, HOP_BY_HOP } from './hop-by-hop';

export interface ResponseHead {
  headers: string[];
  /** Content-Length as sent by the upstream, or -1. */
  contentLength: number;
}

export function buildResponseHeaders(raw: string[]): ResponseHead {
  const out: string[] = [];
  let connection = '';
  let contentLength = -1;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const value = raw[i + 1];
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) {
      if (lower === 'connection') connection = value;
      continue;
    }
    if (lower === 'content-length') contentLength = Number(value);
    out.push(name, value);
  }
  if (connection) {
    const named = connectionTokens(connection);
    if (named.length) return { headers: dropNamed(out, named), contentLength };
  }
  return { headers: out, contentLength };
}
