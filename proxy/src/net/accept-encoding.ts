// The one reading of Accept-Encoding (RFC 9110 §12.5.3) that compression, precompressed static
// files and the cache's variants share: three readings once disagreed ("*, *;q=0" or a repeated
// "br" read one way by the cache and another by compression put br bodies in front of clients
// that accept none).

/** Weights of the codings Portico produces; 0: not acceptable. */
export interface CodingWeights {
  br: number;
  gzip: number;
}

const NONE: CodingWeights = Object.freeze({ br: 0, gzip: 0 });

/** Longer headers are not parsed (node caps a head at 16 KiB anyway): a hostile client gets identity. */
export const MAX_ACCEPT_ENCODING_LENGTH = 4096;

/**
 * br's and gzip's weights: a coding named gets its highest weight (a malformed weight counts 0),
 * one not named gets `*`'s, else 0; `x-gzip` is gzip (RFC 9110 §8.4.1.3). An absent, empty or
 * over-long header accepts neither.
 */
export function codingWeights(header: string | string[] | undefined): CodingWeights {
  if (typeof header !== 'string' || header.length === 0 || header.length > MAX_ACCEPT_ENCODING_LENGTH) return NONE;
  let br = -1;
  let gzip = -1;
  let any = -1;
  for (const item of header.split(',')) {
    const semi = item.indexOf(';');
    const coding = (semi === -1 ? item : item.slice(0, semi)).trim().toLowerCase();
    if (coding !== 'br' && coding !== 'gzip' && coding !== 'x-gzip' && coding !== '*') continue;
    const q = semi === -1 ? 1 : weightOf(item.slice(semi + 1));
    if (coding === 'br') br = Math.max(br, q);
    else if (coding === '*') any = Math.max(any, q);
    else gzip = Math.max(gzip, q);
  }
  return { br: Math.max(br < 0 ? any : br, 0), gzip: Math.max(gzip < 0 ? any : gzip, 0) };
}

/** The q parameter among `;`-separated parameters: `q=0`, `q=0.5`, `q=1.000` (RFC 9110 §12.4.2); 1 when absent, 0 when malformed. */
function weightOf(params: string): number {
  for (const param of params.split(';')) {
    const eq = param.indexOf('=');
    if (eq === -1 || param.slice(0, eq).trim().toLowerCase() !== 'q') continue;
    const value = param.slice(eq + 1).trim();
    return /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(value) ? Number(value) : 0;
  }
  return 1;
}
