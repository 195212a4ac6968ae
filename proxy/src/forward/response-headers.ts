// Upstream response head -> the flat [name, value, ...] list written to the client, hop-by-hop
// headers (and those named in Connection) dropped.
import { connectionTokens, dropNamed, HOP_BY_HOP } from './hop-by-hop';

export function buildResponseHeaders(raw: string[]): string[] {
  const out: string[] = [];
  let connection = '';
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const value = raw[i + 1];
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) {
      if (lower === 'connection') connection = value;
      continue;
    }
    out.push(name, value);
  }
  if (connection) {
    const named = connectionTokens(connection);
    if (named.length) return dropNamed(out, named);
  }
  return out;
}
