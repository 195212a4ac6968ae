// Variants by Vary: the request header values a stored response is matched on.
import { acceptedCodings, normalizedRequestHeader, varyNames } from '../../proxy/src/cache/vary';

describe('vary', () => {
  it('reduces Accept-Encoding to which of br and gzip the client accepts, honouring q=0', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['gzip, deflate, br', 'br,gzip'],
      ['br;q=0.1, gzip;q=1', 'br,gzip'],
      ['gzip', 'gzip'],
      ['x-gzip', 'gzip'],
      ['br', 'br'],
      ['deflate, identity', ''],
      ['*', 'br,gzip'],
      ['*, gzip;q=0', 'br'],
      ['br;q=0, gzip;q=0', ''],
      ['BR ; Q=0.5', 'br'],
      ['gzip;q=abc', ''], // a malformed weight is 0, as compression reads it (it answers identity)
      ['br;q=1, br;q=0', 'br'],
      ['gzip;q=0, x-gzip', 'gzip'],
    ];
    for (const [value, codings] of cases) expect([value, acceptedCodings(value)]).toEqual([value, codings]);
    // Asked again (the memo): the same answers.
    for (const [value, codings] of cases) expect(acceptedCodings(value)).toBe(codings);
  });

  it('reads Vary names lowercased and deduplicated, and tells Vary: *', () => {
    expect(varyNames(['Vary', 'Accept-Encoding, accept-language', 'vary', 'ACCEPT-ENCODING'])).toEqual(['accept-encoding', 'accept-language']);
    expect(varyNames(['Vary', 'Accept, *'])).toBe('*');
    expect(varyNames(['Content-Type', 'text/plain'])).toEqual([]);
  });

  it('joins repeated request headers and trims values', () => {
    expect(normalizedRequestHeader(['Accept-Language', ' fr', 'accept-language', 'de '], 'accept-language')).toBe('fr, de');
    expect(normalizedRequestHeader(['Host', 'x'], 'accept-language')).toBe('');
  });
});
