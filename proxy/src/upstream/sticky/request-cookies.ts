// Reading one cookie out of a client's Cookie header (RFC 6265 §5.4, leniently): every value is
// hostile. Work is one pass over the header (node already bounds its size), and at most
// MAX_SAME_NAME values of one name are kept, so duplicates cannot multiply the work after it.

/** Browsers send several cookies of one name (other paths or domains); more than this is noise. */
export const MAX_SAME_NAME = 4;

const NONE: readonly string[] = [];

/**
 * The request's Cookie header(s), joined with "; " as node does, read from the raw header list
 * when the request has one: node builds `req.headers` lazily, and building it for one header
 * would cost more than all the sticky work.
 */
export function cookieHeader(request: { headers: { cookie?: string }; rawHeaders?: readonly string[] }): string | undefined {
  const raw = request.rawHeaders;
  if (raw === undefined) return request.headers.cookie;
  let found: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === 6 && name.toLowerCase() === 'cookie') found = found === undefined ? raw[i + 1] : `${found}; ${raw[i + 1]}`;
  }
  return found;
}

/**
 * The values of cookie `name` in a Cookie header, in the order sent (the most specific path first),
 * at most MAX_SAME_NAME; surrounding double quotes removed. Node joins repeated Cookie headers
 * with "; ", so one string covers them all.
 */
export function cookieValues(header: string | undefined, name: string): readonly string[] {
  if (header === undefined || header.length <= name.length) return NONE;
  let found: string[] | null = null;
  const end = header.length;
  for (let start = 0; start < end; ) {
    let stop = header.indexOf(';', start);
    if (stop === -1) stop = end;
    const nameStart = skipSpaces(header, start, stop);
    const eq = skipSpaces(header, nameStart + name.length, stop);
    if (eq < stop && header.charCodeAt(eq) === 61 /* = */ && header.startsWith(name, nameStart)) {
      const value = trimValue(header, eq + 1, stop);
      if (found === null) found = [value];
      else found.push(value);
      if (found.length === MAX_SAME_NAME) return found;
    }
    start = stop + 1;
  }
  return found ?? NONE;
}

/** The first value of cookie `name`, or '' when the client sent none. */
export function firstCookieValue(header: string | undefined, name: string): string {
  const values = cookieValues(header, name);
  return values.length === 0 ? '' : values[0];
}

function skipSpaces(text: string, from: number, to: number): number {
  while (from < to && isSpace(text.charCodeAt(from))) from++;
  return from;
}

/** The value between `from` and `to`, without surrounding spaces or one pair of double quotes. */
export function trimValue(text: string, from: number, to: number): string {
  from = skipSpaces(text, from, to);
  while (to > from && isSpace(text.charCodeAt(to - 1))) to--;
  if (to - from >= 2 && text.charCodeAt(from) === 34 && text.charCodeAt(to - 1) === 34) {
    from++;
    to--;
  }
  return text.slice(from, to);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}
