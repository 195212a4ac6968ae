// Where WebSocket frames begin and end in one direction of a tunnel, so the proxy can put a frame
// of its own (a Close) between two frames and never inside one (RFC 6455 §5.2). Only headers are
// read: O(frames) per chunk, no copy. Extensions (permessage-deflate) use the RSV bits and leave
// framing alone; control frames may sit between the fragments of a message (§5.4): both are just
// frames here.
import { randomFillSync } from 'node:crypto';

const OPCODE_CLOSE = 0x8;
const CLOSE_GOING_AWAY = 1001;

export class FrameTracker {
  /** Header bytes of the current frame read so far (0 between frames or inside a payload). */
  private headerRead = 0;
  /** The current frame's header size, known from its second byte (2 until then). */
  private headerSize = 2;
  /** Extended payload length bytes still to come (0, 2 or 8 at the second byte). */
  private lengthBytes = 0;
  private length = 0;
  /** Payload bytes of the current frame still to come. */
  private remaining = 0;
  /** Close frames whose header has begun in this direction. */
  closeFrames = 0;

  /** Whether the bytes read so far end exactly at a frame boundary. */
  get atBoundary(): boolean {
    return this.headerRead === 0 && this.remaining === 0;
  }

  /** Reads all of `chunk`. */
  feed(chunk: Buffer): void {
    this.scan(chunk, false);
  }

  /**
   * Reads `chunk` up to the first frame boundary in it and returns the offset just past it, or -1
   * when the whole chunk was read and the current frame goes on in a later one.
   */
  untilBoundary(chunk: Buffer): number {
    return this.scan(chunk, true);
  }

  private scan(chunk: Buffer, stop: boolean): number {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.remaining > 0) {
        // A payload beyond 2^53 bytes loses precision here: it never ends, which is harmless.
        const take = Math.min(this.remaining, n - i);
        i += take;
        this.remaining -= take;
        if (stop && this.remaining === 0) return i;
        continue;
      }
      const whole = this.headerRead === 0 ? this.wholeHeader(chunk, i) : 0;
      if (whole > 0) i += whole;
      else this.headerByte(chunk[i++]);
      if (stop && this.atBoundary) return i; // a header with an empty payload ends its frame
    }
    return stop ? -1 : n;
  }

  /** The common case, a header whole in the chunk: read at once; its size, or 0 if it is cut. */
  private wholeHeader(chunk: Buffer, i: number): number {
    if (chunk.length - i < 2) return 0;
    const len7 = chunk[i + 1] & 0x7f;
    const lengthBytes = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
    const size = 2 + lengthBytes + ((chunk[i + 1] & 0x80) !== 0 ? 4 : 0);
    if (chunk.length - i < size) return 0;
    if ((chunk[i] & 0x0f) === OPCODE_CLOSE) this.closeFrames++;
    this.remaining =
      lengthBytes === 0 ? len7 : lengthBytes === 2 ? chunk.readUInt16BE(i + 2) : chunk.readUInt32BE(i + 2) * 2 ** 32 + chunk.readUInt32BE(i + 6);
    return size;
  }

  private headerByte(byte: number): void {
    const at = this.headerRead++;
    if (at === 0) {
      if ((byte & 0x0f) === OPCODE_CLOSE) this.closeFrames++;
    } else if (at === 1) {
      const len7 = byte & 0x7f;
      this.lengthBytes = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
      this.length = this.lengthBytes === 0 ? len7 : 0;
      this.headerSize = 2 + this.lengthBytes + ((byte & 0x80) !== 0 ? 4 : 0);
    } else if (at < 2 + this.lengthBytes) {
      this.length = this.length * 256 + byte;
    }
    if (this.headerRead === this.headerSize) {
      this.headerRead = 0;
      this.headerSize = 2;
      this.remaining = this.length;
    }
  }
}

/**
 * A Close frame with status 1001 (Going Away, RFC 6455 §7.4.1). Frames to a server are masked
 * (§5.3: a fresh key, by a strong source, so the client's bytes are unpredictable on the wire).
 */
export function goingAwayFrame(masked: boolean): Buffer {
  if (!masked) return Buffer.from([0x80 | OPCODE_CLOSE, 2, CLOSE_GOING_AWAY >> 8, CLOSE_GOING_AWAY & 0xff]);
  const frame = Buffer.alloc(8);
  frame[0] = 0x80 | OPCODE_CLOSE;
  frame[1] = 0x80 | 2;
  randomFillSync(frame, 2, 4);
  frame[6] = (CLOSE_GOING_AWAY >> 8) ^ frame[2];
  frame[7] = (CLOSE_GOING_AWAY & 0xff) ^ frame[3];
  return frame;
}
