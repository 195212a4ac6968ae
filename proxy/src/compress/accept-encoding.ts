// Accept-Encoding negotiation (RFC 9110 §12.5.3) for on-the-fly compression: the client's weights
// decide, and among equal weights the route's own order of encodings does (NGINX has no brotli of
// its own; its gzip module only looks for the token "gzip").
import type { ResolvedCompress } from '../config/resolved';
import { codingWeights, MAX_ACCEPT_ENCODING_LENGTH } from '../net/accept-encoding';

export type Encoding = ResolvedCompress['encodings'][number];

/**
 * The encoding to use among `offered`, or null for identity: the header is absent (or too long),
 * or it accepts none of them (q=0, or not named and no `*`).
 */
export function negotiateEncoding(header: string | string[] | undefined, offered: readonly Encoding[]): Encoding | null {
  if (typeof header !== 'string' || header.length === 0 || header.length > MAX_ACCEPT_ENCODING_LENGTH) return null;
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
  const weights = codingWeights(header);
  let best: Encoding | null = null;
  let bestQ = 0;
  for (const encoding of offered) {
    if (weights[encoding] > bestQ) {
      best = encoding;
      bestQ = weights[encoding];
    }
  }
  return best;
}
