// The bytes every bench body is made of: deterministic English-like text, so gzip has the work a
// real HTML or JSON body gives it (a run of one letter compresses to nothing and flatters it).
const WORDS = (
  'the proxy serves and caches static content balances several node instances with sticky sessions ' +
  'checks their health drains them gracefully and terminates tls with http2 request response header ' +
  'upstream server client socket buffer stream cache entry key value status timeout retry route path ' +
  'query cookie session token user agent content type length encoding gzip brotli etag modified range'
).split(' ');

/** `bytes` of text from a fixed pseudo-random walk over WORDS (the same bytes on every run). */
export function textBody(bytes: number): Buffer {
  let seed = 0x2545f491;
  const next = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % WORDS.length;
  };
  let text = '';
  while (text.length < bytes) text += WORDS[next()] + (next() % 11 === 0 ? '.\n' : ' ');
  return Buffer.from(text.slice(0, bytes), 'latin1');
}
