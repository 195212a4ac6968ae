// Which precompressed sibling a client takes (NGINX gzip_static / brotli_static), from its
// Accept-Encoding with quality values (RFC 9110 §12.5.3): "q=0" refuses, "*" stands for any coding
// not named, equal weights prefer br (smaller).

import { codingWeights } from '../net/accept-encoding';

export type Coding = 'br' | 'gzip';

/** Codings worth trying, best first (at most two); empty when the client takes neither. */
export function acceptedCodings(header: string): Coding[] {
  const { br, gzip } = codingWeights(header);
  const out: Coding[] = [];
  if (br > 0 && br >= gzip) out.push('br');
  if (gzip > 0) out.push('gzip');
  if (br > 0 && br < gzip) out.push('br');
  return out;
}
