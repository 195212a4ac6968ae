// Variants by Vary (RFC 9111 §4.1): a stored response names the request headers it varies on, and
// a later request matches the variant whose normalized values equal its own. Accept-Encoding is
// normalized to the codings the proxy and its upstreams produce (br, gzip), so clients with
// different but equivalent Accept-Encoding strings share one variant instead of one each.
import { codingWeights } from '../net/accept-encoding';
import { rawHeader } from '../net/raw-headers';

/** A request header's value as variants compare it: Accept-Encoding reduced to its codings, others trimmed. */
export function normalizedRequestHeader(raw: readonly string[], lower: string): string {
  const value = rawHeader(raw, lower);
  if (lower === 'accept-encoding') return acceptedCodings(value);
  return value.trim();
}

/**
 * Parsed Accept-Encoding values: clients send a handful of distinct strings, and a hit on a
 * compressed variant reads one per request. Bounded: cleared when full.
 */
const codingsSeen = new Map<string, string>();
const CODINGS_SEEN_MAX = 256;

/**
 * Which of br and gzip an Accept-Encoding accepts (quality > 0, RFC 9110 §12.5.3): 'br,gzip', 'br',
 * 'gzip' or ''. Read exactly as compression reads it (net/accept-encoding.ts): a variant stored for
 * a value is then always in a coding every request with that value accepts.
 */
export function acceptedCodings(value: string): string {
  if (value === '') return '';
  let codings = codingsSeen.get(value);
  if (codings === undefined) {
    if (codingsSeen.size >= CODINGS_SEEN_MAX || value.length > 256) codingsSeen.clear();
    codings = parseCodings(value);
    if (value.length <= 256) codingsSeen.set(value, codings);
  }
  return codings;
}

function parseCodings(value: string): string {
  const { br, gzip } = codingWeights(value);
  return br > 0 ? (gzip > 0 ? 'br,gzip' : 'br') : gzip > 0 ? 'gzip' : '';
}

/**
 * The request header names a response's Vary lists, lowercased and deduplicated; '*' when it
 * varies on everything (RFC 9110 §12.5.5: never matches, so never stored unless Vary is ignored).
 */
export function varyNames(headers: readonly string[]): string[] | '*' {
  const names: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i];
    if (name.length !== 4 || name.toLowerCase() !== 'vary') continue;
    for (const token of headers[i + 1].split(',')) {
      const t = token.trim().toLowerCase();
      if (t === '*') return '*';
      if (t !== '' && !names.includes(t)) names.push(t);
    }
  }
  return names;
}

/** The vary values a variant is stored under: each name with this request's normalized value. */
export function varyValues(names: readonly string[], raw: readonly string[]): [string, string][] {
  return names.map((name) => [name, normalizedRequestHeader(raw, name)]);
}

// A lookup reads the request's headers through a function; one module-level reader over the
// request being looked up (lookups are synchronous) spares a closure per request.
let current: readonly string[] = [];

function readCurrent(name: string): string {
  return normalizedRequestHeader(current, name);
}

/** The header reader for zone.lookup over `raw`; valid until the next call. */
export function varyReader(raw: readonly string[]): (name: string) => string {
  current = raw;
  return readCurrent;
}
