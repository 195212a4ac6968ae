// The file of one disk-tier entry: the body first, then the head as JSON, then a fixed trailer
// (head length + magic). Body first so a refresh can rewrite the head without moving the body
// under a reader; trailer last so a file cut short anywhere (a crash, a full disk, a power loss
// after the rename) has no valid trailer and is never read back as an entry.
import { createHash, randomBytes } from 'node:crypto';
import type { CachedHead } from './cache-types';

const MAGIC = Buffer.from('PORTICO\x01', 'latin1');
export const TRAILER_BYTES = 4 + MAGIC.length;
/** A head larger than this is not ours (header blocks are limited far below it). */
export const MAX_HEAD_BYTES = 1024 * 1024;
export const ENTRY_SUFFIX = '.entry';
export const TEMP_PREFIX = '.tmp-';
/** This process's temp files: a read-back (of another zone object on the same directory) leaves them alone. */
const OWN_TEMP_PREFIX = `${TEMP_PREFIX}${randomBytes(6).toString('hex')}-`;
let tempSequence = 0;

/** A temp file name no other write (of this or any process) uses. */
export function tempFileName(): string {
  return `${OWN_TEMP_PREFIX}${++tempSequence}`;
}

/** A temp file of a write under way in this process (never removed as a crash's leftover). */
export function isOwnTemp(name: string): boolean {
  return name.startsWith(OWN_TEMP_PREFIX);
}

export interface FileHead extends CachedHead {
  /** Body length in bytes. */
  size: number;
}

const ENTRY_NAME = /^[0-9a-f]{40}\.entry$/;

/**
 * Whether a file in a zone's directory is one this cache wrote (an entry or a temp file). Only
 * those are ever removed: a disk.path pointed at a directory with other files must not lose them.
 */
export function isCacheFileName(name: string): boolean {
  return ENTRY_NAME.test(name) || name.startsWith(TEMP_PREFIX);
}

/** The file name of a variant: a hash of its id, so names are fixed-length and safe. */
export function entryFileName(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 40) + ENTRY_SUFFIX;
}

/** What follows the body: the head JSON and the trailer. */
export function encodeHead(head: CachedHead, size: number): Buffer {
  const json = Buffer.from(JSON.stringify({ ...pickHead(head), size }));
  const trailer = Buffer.alloc(TRAILER_BYTES);
  trailer.writeUInt32BE(json.length, 0);
  MAGIC.copy(trailer, 4);
  return Buffer.concat([json, trailer]);
}

/** The head length the trailer names, or null when it is not a trailer of ours. */
export function decodeTrailer(trailer: Buffer, fileSize: number): number | null {
  if (trailer.length !== TRAILER_BYTES || !trailer.subarray(4).equals(MAGIC)) return null;
  const length = trailer.readUInt32BE(0);
  return length > MAX_HEAD_BYTES || length + TRAILER_BYTES > fileSize ? null : length;
}

/** The head, checked field by field (a file is hostile input), or null. */
export function decodeHead(json: Buffer, fileSize: number): FileHead | null {
  let v: unknown;
  try {
    v = JSON.parse(json.toString('utf8'));
  } catch {
    return null;
  }
  if (!isHead(v)) return null;
  return v.size + json.length + TRAILER_BYTES === fileSize ? v : null;
}

function pickHead(h: CachedHead): CachedHead {
  const { key, vary, status, headers, storedAt, expiresAt, staleWhileRevalidate, staleIfError, etag, lastModified } = h;
  return { key, vary, status, headers, storedAt, expiresAt, staleWhileRevalidate, staleIfError, etag, lastModified };
}

function isHead(v: unknown): v is FileHead {
  if (typeof v !== 'object' || v === null) return false;
  const h = v as Record<string, unknown>;
  return (
    typeof h.key === 'string' &&
    Array.isArray(h.vary) &&
    h.vary.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string') &&
    Number.isInteger(h.status) &&
    (h.status as number) >= 100 &&
    (h.status as number) <= 999 &&
    Array.isArray(h.headers) &&
    h.headers.length % 2 === 0 &&
    h.headers.every((x) => typeof x === 'string') &&
    [h.storedAt, h.expiresAt, h.staleWhileRevalidate, h.staleIfError].every(Number.isFinite) &&
    (h.etag === null || typeof h.etag === 'string') &&
    (h.lastModified === null || typeof h.lastModified === 'string') &&
    Number.isSafeInteger(h.size) &&
    (h.size as number) >= 0
  );
}
