// Which precompressed sibling a client takes (NGINX gzip_static / brotli_static), from its
// Accept-Encoding with quality values (RFC 9110 §12.5.3): "q=0" refuses, "*" stands for any coding
// not named, equal weights prefer br (smaller).

export type Coding = 'br' | 'gzip';

/** Codings worth trying, best first (at most two); empty when the client takes neither. */
export function acceptedCodings(header: string): Coding[] {
  let br = -1;
  let gzip = -1;
  let any = -1;
  for (const part of header.split(',')) {
    const semi = part.indexOf(';');
    const name = (semi === -1 ? part : part.slice(0, semi)).trim().toLowerCase();
    if (name !== 'br' && name !== 'gzip' && name !== 'x-gzip' && name !== '*') continue;
    const q = semi === -1 ? 1 : quality(part.slice(semi + 1));
    if (name === 'br') br = Math.max(br, q);
    else if (name === '*') any = Math.max(any, q);
    else gzip = Math.max(gzip, q);
  }
  if (br < 0) br = any;
  if (gzip < 0) gzip = any;
  const out: Coding[] = [];
  if (br > 0 && br >= gzip) out.push('br');
  if (gzip > 0) out.push('gzip');
  if (br > 0 && br < gzip) out.push('br');
  return out;
}

/** The q parameter of one coding's parameters ("q=0.5"); 1 when absent, 0 when malformed. */
function quality(params: string): number {
  for (const param of params.split(';')) {
    const eq = param.indexOf('=');
    if (eq === -1 || param.slice(0, eq).trim().toLowerCase() !== 'q') continue;
    const value = param.slice(eq + 1).trim();
    if (!/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value)) return 0;
    return Number(value);
  }
  return 1;
}
