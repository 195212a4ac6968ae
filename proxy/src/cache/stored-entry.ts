// One stored variant (a key and its vary values): the head, and where its body is now (memory,
// a file of the disk tier, or both). The flow sees it as a CacheEntry.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { CachedHead, CacheEntry } from './cache-types';

/**
 * Where the disk tier keeps the body: a file whose first `size` bytes are the body (the head
 * follows it, so a refresh that rewrites the head never moves the body under a reader).
 */
export interface DiskPlace {
  readonly file: string;
  /** The whole file's size (body + head + trailer), what the disk tier counts. */
  readonly fileSize: number;
}

/** Per-entry overhead counted against the memory bound beyond body and header text (objects, maps). */
const ENTRY_OVERHEAD = 256;

export class StoredEntry implements CacheEntry {
  readonly key: string;
  readonly vary: readonly (readonly [string, string])[];
  readonly status: number;
  readonly headers: readonly string[];
  readonly storedAt: number;
  readonly expiresAt: number;
  readonly staleWhileRevalidate: number;
  readonly staleIfError: number;
  readonly etag: string | null;
  readonly lastModified: string | null;
  /** Identifies the variant in the zone: the key and the vary values, unambiguously. */
  readonly id: string;
  /** Bytes counted against the memory bound when the body is held there. */
  readonly memorySize: number;
  /** Set while the memory tier holds the body. */
  body: Buffer | null;
  /** Set once the disk tier has the whole file in place (after the rename). */
  disk: DiskPlace | null = null;
  /** A write of its file is under way. */
  saving = false;
  /** Date.now() of the last lookup that found it (NGINX `inactive`). */
  lastUsed: number;

  constructor(
    head: CachedHead,
    readonly size: number,
    body: Buffer | null,
  ) {
    this.key = head.key;
    this.vary = head.vary.map(([name, value]) => [name, value] as const);
    this.status = head.status;
    this.headers = head.headers.slice();
    this.storedAt = head.storedAt;
    this.expiresAt = head.expiresAt;
    this.staleWhileRevalidate = head.staleWhileRevalidate;
    this.staleIfError = head.staleIfError;
    this.etag = head.etag;
    this.lastModified = head.lastModified;
    this.id = variantId(head.key, head.vary);
    this.body = body;
    this.memorySize = size + headBytes(head) + ENTRY_OVERHEAD;
    this.lastUsed = Date.now();
  }

  /** The fields a disk file keeps (everything but the body). */
  head(): CachedHead {
    return {
      key: this.key,
      vary: this.vary,
      status: this.status,
      headers: this.headers,
      storedAt: this.storedAt,
      expiresAt: this.expiresAt,
      staleWhileRevalidate: this.staleWhileRevalidate,
      staleIfError: this.staleIfError,
      etag: this.etag,
      lastModified: this.lastModified,
    };
  }

  /** Whether a request with these header values may be served this variant. */
  matches(header: (name: string) => string): boolean {
    const vary = this.vary;
    for (let i = 0; i < vary.length; i++) if (header(vary[i][0]) !== vary[i][1]) return false;
    return true;
  }

  openBody(start = 0, end = this.size - 1): Readable {
    const body = this.body;
    if (body !== null) return bufferStream(body.subarray(start, end + 1));
    const disk = this.disk;
    if (disk === null || end < start) return bufferStream(Buffer.alloc(0));
    return createReadStream(disk.file, { start, end });
  }
}

export function variantId(key: string, vary: readonly (readonly [string, string])[]): string {
  return vary.length === 0 ? JSON.stringify(key) : JSON.stringify([key, vary]);
}

function headBytes(head: CachedHead): number {
  let n = head.key.length;
  for (const h of head.headers) n += h.length;
  for (const [name, value] of head.vary) n += name.length + value.length;
  return n;
}

function bufferStream(chunk: Buffer): Readable {
  return new Readable({
    read() {
      if (chunk.length > 0) this.push(chunk);
      this.push(null);
    },
  });
}
