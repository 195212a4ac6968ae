// Conditional requests on a file (RFC 9110 §13.2.2, in its order): If-Match / If-Unmodified-Since
// fail with 412, If-None-Match / If-Modified-Since answer 304, If-Range decides whether a Range is
// honoured. The request headers a file response reads are gathered in one pass over the raw list.

/** The request headers a static response looks at; null when absent (the first of duplicates). */
export class FileRequestHeaders {
  ifMatch: string | null = null;
  ifNoneMatch: string | null = null;
  ifModifiedSince: string | null = null;
  ifUnmodifiedSince: string | null = null;
  ifRange: string | null = null;
  range: string | null = null;
  acceptEncoding: string | null = null;

  constructor(raw: readonly string[]) {
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i];
      // lengths first: most requests carry none of these, and lowercasing every name costs
      switch (name.length) {
        case 5:
          if (this.range === null && name.toLowerCase() === 'range') this.range = raw[i + 1];
          break;
        case 8:
          if (this.ifMatch === null && name.toLowerCase() === 'if-match') this.ifMatch = raw[i + 1];
          else if (this.ifRange === null && name.toLowerCase() === 'if-range') this.ifRange = raw[i + 1];
          break;
        case 13:
          if (this.ifNoneMatch === null && name.toLowerCase() === 'if-none-match') this.ifNoneMatch = raw[i + 1];
          break;
        case 15:
          if (this.acceptEncoding === null && name.toLowerCase() === 'accept-encoding') this.acceptEncoding = raw[i + 1];
          break;
        case 17:
          if (this.ifModifiedSince === null && name.toLowerCase() === 'if-modified-since') this.ifModifiedSince = raw[i + 1];
          break;
        case 19:
          if (this.ifUnmodifiedSince === null && name.toLowerCase() === 'if-unmodified-since') this.ifUnmodifiedSince = raw[i + 1];
          break;
      }
    }
  }
}

/** What the preconditions decide: go on (200/206), 304, or 412. */
export type Precondition = 'send' | 304 | 412;

/** `etag` is null when the route turned ETags off; `mtimeSeconds` is the file's Last-Modified. */
export function evaluatePreconditions(h: FileRequestHeaders, etag: string | null, mtimeSeconds: number): Precondition {
  if (h.ifMatch !== null) {
    if (!matchesAny(h.ifMatch, etag, true)) return 412;
  } else if (h.ifUnmodifiedSince !== null) {
    const since = parseHttpDate(h.ifUnmodifiedSince);
    if (since !== null && mtimeSeconds > since) return 412;
  }
  if (h.ifNoneMatch !== null) {
    if (matchesAny(h.ifNoneMatch, etag, false)) return 304;
  } else if (h.ifModifiedSince !== null) {
    const since = parseHttpDate(h.ifModifiedSince);
    // RFC 9110 "not modified since", i.e. NGINX `if_modified_since before` (its default, exact,
    // would answer 200 to a cache that holds a newer date than the file).
    if (since !== null && mtimeSeconds <= since) return 304;
  }
  return 'send';
}

/** Whether If-Range lets the Range apply: a strong ETag match, or exactly the Last-Modified date. */
export function ifRangeHolds(value: string, etag: string | null, lastModified: string): boolean {
  const v = value.trim();
  if (v.startsWith('"') || v.startsWith('W/')) return etag !== null && v === etag; // a weak tag never matches
  return v === lastModified;
}

/** If-Match (strong comparison) or If-None-Match (weak) against the file's tag; "*" matches any file. */
function matchesAny(list: string, etag: string | null, strong: boolean): boolean {
  if (list.trim() === '*') return true;
  if (etag === null) return false;
  for (const part of list.split(',')) {
    let tag = part.trim();
    if (tag.startsWith('W/')) {
      if (strong) continue;
      tag = tag.slice(2);
    }
    if (tag === etag) return true;
  }
  return false;
}

/** Seconds since the epoch, or null for a value that is not a date (then the header is ignored). */
function parseHttpDate(value: string): number | null {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}
