// Node's zlib streams for one response, or one call for a small whole body. Memory per stream is bounded: gzip's window shrinks to the
// body when its length is known (as NGINX's gzip filter does), brotli gets a 512 KiB window (the
// brotli module's default, brotli_window) and the length as a size hint.
import zlib, { type BrotliCompress, type Gzip } from 'node:zlib';
import type { ResolvedCompress } from '../config/resolved';
import type { Encoding } from './accept-encoding';

export type Encoder = Gzip | BrotliCompress;

const BROTLI_WINDOW_BITS = 19;
const GZIP_MAX_WINDOW_BITS = 15;
/** zlib refuses a gzip window below 2^9. */
const GZIP_MIN_WINDOW_BITS = 9;

let live = 0;

/** Encoders created and not yet closed: a leak shows here (tests read it; it costs one counter). */
export function liveEncoders(): number {
  return live;
}

/**
 * Bodies up to this size, with a known length, are compressed in one synchronous call once whole
 * (on the event loop, as NGINX's gzip filter does): no zlib stream, no thread pool round trips.
 * Measured on 1 KiB text: ~100 µs per proxied response instead of ~150. Larger bodies stream
 * through the thread pool: compressing them costs the same either way (64 KiB of text at gzip 6:
 * ~2.8 ms, as nginx), and the event loop stays free meanwhile.
 */
export const WHOLE_BODY_LIMIT = 16 * 1024;
/** Brotli above this quality is slow enough (tens of ms for 64 KiB) to stay off the event loop. */
const WHOLE_BODY_MAX_BROTLI_QUALITY = 6;

/** Whether a body of `length` bytes (-1: unknown) is compressed in one call (compressWhole) rather than streamed. */
export function compressesWhole(encoding: Encoding, config: ResolvedCompress, length: number): boolean {
  if (length < 0 || length > WHOLE_BODY_LIMIT) return false;
  return encoding === 'gzip' || config.brotliLevel <= WHOLE_BODY_MAX_BROTLI_QUALITY;
}

/** The whole body compressed, with the same settings a stream would use (throws on a zlib failure). */
export function compressWhole(encoding: Encoding, config: ResolvedCompress, body: Buffer): Buffer {
  const length = body.length;
  return encoding === 'br' ? zlib.brotliCompressSync(body, { params: brotliParams(config.brotliLevel, length) }) : zlib.gzipSync(body, { level: config.gzipLevel, windowBits: gzipWindowBits(length) });
}

/** A compressing stream for a body of `length` bytes (-1: unknown). */
export function createEncoder(encoding: Encoding, config: ResolvedCompress, length: number): Encoder {
  const encoder = encoding === 'br' ? brotli(config.brotliLevel, length) : gzip(config.gzipLevel, length);
  live++;
  encoder.once('close', onClose);
  return encoder;
}

/** Makes what was written so far decodable by the client (a slow stream such as server-sent events). */
export function flushEncoder(encoder: Encoder, encoding: Encoding): void {
  encoder.flush(encoding === 'br' ? zlib.constants.BROTLI_OPERATION_FLUSH : zlib.constants.Z_SYNC_FLUSH);
}

function gzip(level: number, length: number): Gzip {
  return zlib.createGzip({ level, windowBits: gzipWindowBits(length) });
}

/** gzip's window shrunk to the body when its length is known (NGINX gzip_window). */
function gzipWindowBits(length: number): number {
  if (length < 0) return GZIP_MAX_WINDOW_BITS;
  return Math.min(GZIP_MAX_WINDOW_BITS, Math.max(GZIP_MIN_WINDOW_BITS, Math.ceil(Math.log2(length + 1))));
}

function brotli(quality: number, length: number): BrotliCompress {
  return zlib.createBrotliCompress({ params: brotliParams(quality, length) });
}

function brotliParams(quality: number, length: number): Record<number, number> {
  const params: Record<number, number> = {
    [zlib.constants.BROTLI_PARAM_QUALITY]: quality,
    [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
    [zlib.constants.BROTLI_PARAM_LGWIN]: BROTLI_WINDOW_BITS,
  };
  if (length >= 0) params[zlib.constants.BROTLI_PARAM_SIZE_HINT] = length;
  return params;
}

function onClose(): void {
  live--;
}
