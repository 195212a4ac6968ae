// Node's zlib streams for one response. Memory per stream is bounded: gzip's window shrinks to the
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
  let windowBits = GZIP_MAX_WINDOW_BITS;
  if (length >= 0) windowBits = Math.min(GZIP_MAX_WINDOW_BITS, Math.max(GZIP_MIN_WINDOW_BITS, Math.ceil(Math.log2(length + 1))));
  return zlib.createGzip({ level, windowBits });
}

function brotli(quality: number, length: number): BrotliCompress {
  const params: Record<number, number> = {
    [zlib.constants.BROTLI_PARAM_QUALITY]: quality,
    [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
    [zlib.constants.BROTLI_PARAM_LGWIN]: BROTLI_WINDOW_BITS,
  };
  if (length >= 0) params[zlib.constants.BROTLI_PARAM_SIZE_HINT] = length;
  return zlib.createBrotliCompress({ params });
}

function onClose(): void {
  live--;
}
