// Accept-Encoding negotiation (RFC 9110 §12.5.3) for on-the-fly compression: the client's weights
// decide, and among equal weights the route's own order of encodings does (NGINX has no brotli of
// its own; its gzip module only looks for the token "gzip").
import type { ResolvedCompress } from '../config/resolved';

export type Encoding = ResolvedCompress['encodings'][number];

/** Longer headers are not parsed (node caps a head at 16 KiB anyway): a hostile client gets identity. */
const MAX_HEADER_LENGTH = 4096;

/**
 * The encoding to use among `offered`, or null for identity: the header is absent (or too long),
 * or it accepts none of them (q=0, or not named and no `*`).
 */
export function negotiateEncoding(header: string | string[] | undefined, offered: readonly Encoding[]): Encoding | null {
  if (typeof header !== 'string' || header.length === 0 || header.length > MAX_HEADER_LENGTH) return null;
  // Clients send a handful of distinct values: each is parsed once per route's list of encodings.
  let seen = answers.get(offered);
  if (seen === undefined) answers.set(offered, (seen = new Map()));
  const known = seen.get(header);
  if (known !== undefined) return known;
  const answer = negotiate(header, offered);
  if (seen.size >= ANSWERS_KEPT) seen.clear();
  seen.set(header, answer);
  return answer;
}

/** Answers by route encoding list (the resolved config's array), then by header value; bounded. */
const answers = new WeakMap<readonly Encoding[], Map<string, Encoding | null>>();
const ANSWERS_KEPT = 64;

function negotiate(header: string, offered: readonly Encoding[]): Encoding | null {
  const weights = parseWeights(header);
  let best: Encoding | null = null;
  let bestQ = 0;
  for (const encoding of offered) {
    const q = weights.get(encoding) ?? weights.get('*') ?? 0;
    if (q > bestQ) {
      best = encoding;
      bestQ = q;
    }
  }
  return best;
}

/** Coding → weight (0..1). An unparsable weight counts as 0; the highest weight given to a coding wins. */
function parseWeights(header: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const item of header.split(',')) {
    const semi = item.indexOf(';');
    let coding = (semi === -1 ? item : item.slice(0, semi)).trim().toLowerCase();
    if (coding.length === 0) continue;
    if (coding === 'x-gzip') coding = 'gzip'; // RFC 9110 §8.4.1.3: the same coding
    const q = semi === -1 ? 1 : weightOf(item.slice(semi + 1));
    weights.set(coding, Math.max(q, weights.get(coding) ?? 0));
  }
  return weights;
}

/** The q parameter among `;`-separated parameters: `q=0`, `q=0.5`, `q=1.000` (RFC 9110 §12.4.2). */
function weightOf(params: string): number {
  for (const param of params.split(';')) {
    const eq = param.indexOf('=');
    if (eq === -1 || param.slice(0, eq).trim().toLowerCase() !== 'q') continue;
    const value = param.slice(eq + 1).trim();
    return /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(value) ? Number(value) : 0;
  }
  return 1;
}
