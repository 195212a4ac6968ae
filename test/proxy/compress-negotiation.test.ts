// Accept-Encoding negotiation and the compressed head, as pure functions.
import { negotiateEncoding } from '../../proxy/src/compress/accept-encoding';
import { compressedHead, compressibleLength } from '../../proxy/src/compress/compress-head';
import type { ResolvedCompress } from '../../proxy/src/config/resolved';

const both = ['br', 'gzip'] as const;
const config: ResolvedCompress = { types: new Set(['text/html', 'application/javascript', 'text/*']), minLength: 100, encodings: ['br', 'gzip'], gzipLevel: 6, brotliLevel: 4 };

describe('Accept-Encoding negotiation', () => {
  it.each([
    [undefined, null],
    ['', null],
    ['gzip', 'gzip'],
    ['gzip, deflate, br', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['BR;Q=1, GZIP', 'br'],
    ['*', 'br'],
    ['*;q=0.5, br;q=0', 'gzip'],
    ['*;q=0', null],
    ['identity;q=0', null],
    ['identity', null],
    ['deflate, compress', null],
    ['x-gzip', 'gzip'],
    ['gzip;q=0.0000001', null],
    ['gzip;q=abc', null],
    ['gzip;q=2', null],
    ['gzip;level=1;q=0.2, br;q=0.1', 'gzip'],
    [' , ;;, =,gzip', 'gzip'],
    ['gzip;q=0, gzip;q=1', 'gzip'],
  ])('%j gives %s', (header, expected) => {
    expect(negotiateEncoding(header, both)).toBe(expected);
  });

  it("breaks ties by the route's order of encodings", () => {
    expect(negotiateEncoding('gzip, br', ['gzip', 'br'])).toBe('gzip');
    expect(negotiateEncoding('gzip, br', ['br', 'gzip'])).toBe('br');
    expect(negotiateEncoding('*', ['gzip'])).toBe('gzip');
  });

  it('offers only what the route lists', () => {
    expect(negotiateEncoding('br', ['gzip'])).toBeNull();
  });

  it('answers identity to a header too long to be honest, and to repeated headers', () => {
    expect(negotiateEncoding(`${'x, '.repeat(5000)}gzip`, both)).toBeNull();
    expect(negotiateEncoding(['gzip', 'br'], both)).toBeNull();
  });
});

describe('which responses are compressed', () => {
  const html = ['Content-Type', 'text/html; charset=utf-8'];

  it.each([
    ['a listed type with a length at the minimum', 200, [...html, 'Content-Length', '100'], 100],
    ['an unknown length', 200, html, -1],
    ['a type listed by wildcard', 200, ['content-type', 'text/x-anything'], -1],
    ['an error page', 404, html, -1],
  ])('compresses %s', (_what, status, headers, length) => {
    expect(compressibleLength(status, headers, config)).toBe(length);
  });

  it.each([
    ['a body under the minimum', 200, [...html, 'Content-Length', '99']],
    ['an unlisted type', 200, ['Content-Type', 'image/png']],
    ['no Content-Type', 200, []],
    ['an encoded body', 200, [...html, 'Content-Encoding', 'gzip']],
    ['a partial body', 206, [...html, 'Content-Range', 'bytes 0-9/100']],
    ['a Content-Range on a 200', 200, [...html, 'Content-Range', 'bytes 0-9/100']],
    ['Cache-Control no-transform', 200, [...html, 'Cache-Control', 'public, No-Transform']],
    ['a 204', 204, html],
    ['a 304', 304, html],
    ['a 1xx', 103, html],
    ['a malformed length', 200, [...html, 'Content-Length', '12, 12']],
  ])('leaves alone %s', (_what, status, headers) => {
    expect(compressibleLength(status, headers, config)).toBeNull();
  });

  it('compresses a body whose encoding is identity', () => {
    expect(compressibleLength(200, [...html, 'Content-Encoding', 'identity'], config)).toBe(-1);
  });
});

describe('the compressed head', () => {
  it('drops the length and ranges, names the encoding, varies and weakens the ETag', () => {
    const head = compressedHead(['Content-Type', 'text/html', 'Content-Length', '5000', 'Accept-Ranges', 'bytes', 'ETag', '"abc"'], 'br');
    expect(head).toEqual(['Content-Type', 'text/html', 'ETag', 'W/"abc"', 'Vary', 'Accept-Encoding', 'Content-Encoding', 'br']);
  });

  it('keeps a weak ETag as it is', () => {
    expect(compressedHead(['ETag', 'W/"abc"'], 'gzip')).toContain('W/"abc"');
  });

  it.each([
    ['Cookie', 'Cookie, Accept-Encoding'],
    ['accept-encoding', 'accept-encoding'],
    ['Origin,Accept-Encoding', 'Origin,Accept-Encoding'],
    ['*', '*'],
    ['', 'Accept-Encoding'],
  ])('merges Vary: %j into %j', (vary, merged) => {
    expect(compressedHead(['Vary', vary], 'gzip')).toEqual(['Vary', merged, 'Content-Encoding', 'gzip']);
  });

  it('only varies a head it does not compress', () => {
    const headers = ['Content-Type', 'text/html', 'Content-Length', '5000', 'ETag', '"abc"'];
    expect(compressedHead(headers, null)).toEqual([...headers, 'Vary', 'Accept-Encoding']);
  });
});
