// Header fields read straight from a raw [name, value, ...] list (node's rawHeaders, or llhttp's),
// without building a headers object: the request paths look at one or two fields each.

/** The value of request header `lower` (a lowercased name) in a raw [name, value, ...] list, several joined by ", "; '' when absent. */
export function rawHeader(raw: readonly string[], lower: string): string {
  let out = '';
  const n = lower.length;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === n && name.toLowerCase() === lower) out = out === '' ? raw[i + 1] : `${out}, ${raw[i + 1]}`;
  }
  return out;
}

/** Whether the raw list has header `lower` at all. */
export function hasRawHeader(raw: readonly string[], lower: string): boolean {
  const n = lower.length;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === n && name.toLowerCase() === lower) return true;
  }
  return false;
}
