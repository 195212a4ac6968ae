// The frame tracker finds every WebSocket frame boundary however the bytes are cut into chunks, so
// a Close of the proxy's own never lands inside a frame; the Close frames it makes are valid.
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { FrameTracker, goingAwayFrame } from '../../proxy/src/server/websocket-frames';

/** One frame: FIN, opcode, an optional mask (the payload is masked with it), a payload length of `size`. */
function frame(opcode: number, size: number, opts: { fin?: boolean; mask?: boolean; rsv1?: boolean } = {}): Buffer {
  const fin = opts.fin ?? true;
  const ext = size < 126 ? 0 : size < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + ext + (opts.mask ? 4 : 0));
  head[0] = (fin ? 0x80 : 0) | (opts.rsv1 ? 0x40 : 0) | opcode;
  head[1] = (opts.mask ? 0x80 : 0) | (ext === 0 ? size : ext === 2 ? 126 : 127);
  if (ext === 2) head.writeUInt16BE(size, 2);
  if (ext === 8) head.writeBigUInt64BE(BigInt(size), 2);
  if (opts.mask) head.set([0x12, 0x34, 0x56, 0x78], 2 + ext);
  // Payload bytes that look like headers (0x88 = Close, 0xff), to catch a tracker that reads them.
  const payload = Buffer.alloc(size, 0x88);
  for (let i = 0; i < size; i += 7) payload[i] = 0xff;
  return Buffer.concat([head, payload]);
}

/** The frames' end offsets in their concatenation. */
function ends(frames: Buffer[]): number[] {
  let at = 0;
  return frames.map((f) => (at += f.length));
}

/** Feeds `chunks` one by one, asking for every boundary: the offsets where frames ended. */
function boundariesFound(tracker: FrameTracker, chunks: Buffer[]): number[] {
  const found: number[] = [];
  let base = 0;
  for (const chunk of chunks) {
    let rest = chunk;
    let offset = base;
    while (rest.length > 0) {
      const end = tracker.untilBoundary(rest);
      if (end === -1) break;
      found.push(offset + end);
      offset += end;
      rest = rest.subarray(end);
    }
    base += chunk.length;
  }
  return found;
}

/** Cuts `bytes` at the given offsets. */
function cut(bytes: Buffer, at: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let from = 0;
  for (const to of [...at, bytes.length]) {
    chunks.push(bytes.subarray(from, to));
    from = to;
  }
  return chunks;
}

describe('FrameTracker', () => {
  // A fragmented text message with a ping and a pong between its fragments, a 16-bit and a 64-bit
  // length, masked and unmasked, empty frames, a compressed (RSV1) frame, and a Close.
  const frames = [
    frame(0x1, 5, { fin: false, mask: true }),
    frame(0x9, 0, { mask: true }),
    frame(0x0, 126, { fin: false, mask: true }),
    frame(0xa, 3),
    frame(0x0, 0, { fin: true }),
    frame(0x2, 70_000, { mask: true }),
    frame(0x1, 125, { rsv1: true }),
    frame(0x2, 65_535),
    frame(0x8, 2, { mask: true }),
  ];
  const bytes = Buffer.concat(frames);
  const expected = ends(frames);

  it('finds every boundary when the bytes are cut in two at any position (every one near a header)', () => {
    // Every position within 16 bytes of a frame start (headers are at most 14 bytes), and a sample
    // of positions inside the long payloads.
    const near = (p: number) => [0, ...expected].some((start) => Math.abs(p - start) <= 16);
    const positions = Array.from({ length: bytes.length + 1 }, (_, p) => p).filter((p) => near(p) || p % 499 === 0);
    expect(positions.length).toBeGreaterThan(300);
    for (const p of positions) {
      const tracker = new FrameTracker();
      expect(boundariesFound(tracker, cut(bytes, [p]))).toEqual(expected);
      expect(tracker.atBoundary).toBe(true);
    }
  });

  it('finds every boundary when each byte comes alone (headers split at every byte)', () => {
    const headerOnly = Buffer.concat(frames.filter((f) => f.length < 300));
    const tracker = new FrameTracker();
    const chunks = cut(headerOnly, Array.from({ length: headerOnly.length - 1 }, (_, i) => i + 1));
    expect(boundariesFound(tracker, chunks)).toEqual(ends(frames.filter((f) => f.length < 300)));
  });

  it('knows whether it is at a boundary after any cut, and counts the Close frames it saw', () => {
    for (let p = 0; p <= bytes.length; p += 97) {
      const tracker = new FrameTracker();
      tracker.feed(bytes.subarray(0, p));
      expect(tracker.atBoundary).toBe(p === 0 || expected.includes(p));
      expect(tracker.closeFrames).toBe(p > expected[expected.length - 2] ? 1 : 0);
      tracker.feed(bytes.subarray(p));
      expect(tracker.atBoundary).toBe(true);
      expect(tracker.closeFrames).toBe(1);
    }
  });

  it('cuts a 64-bit length at every byte of its header across chunks', () => {
    const big = frame(0x2, 70_000, { mask: true }); // 2 + 8 + 4 header bytes
    const next = frame(0x1, 1);
    const both = Buffer.concat([big, next]);
    for (let a = 1; a < 14; a++) {
      for (let b = a + 1; b <= 15; b++) {
        expect(boundariesFound(new FrameTracker(), cut(both, [a, b]))).toEqual([big.length, both.length]);
      }
    }
  });

  it('returns -1 for a chunk that ends inside a frame, and the offset just past a frame that ends in it', () => {
    const tracker = new FrameTracker();
    const f = frame(0x2, 10);
    expect(tracker.untilBoundary(f.subarray(0, 5))).toBe(-1);
    expect(tracker.atBoundary).toBe(false);
    expect(tracker.untilBoundary(Buffer.concat([f.subarray(5), frame(0x1, 0)]))).toBe(7);
    expect(tracker.atBoundary).toBe(true);
  });
});

interface ReceiverLike extends EventEmitter {
  write(chunk: Buffer): boolean;
}

/** The ws library's own frame reader, as a server (masked frames required) or a client (unmasked). */
function receiver(isServer: boolean): ReceiverLike {
  const Receiver = (WebSocket as unknown as { Receiver: new (o: { isServer: boolean }) => ReceiverLike }).Receiver;
  return new Receiver({ isServer });
}

describe('goingAwayFrame', () => {
  it.each([
    ['to a client, unmasked', false],
    ['to a server, masked', true],
  ])('is a Close 1001 that the ws library accepts %s', async (_name, masked) => {
    const r = receiver(masked);
    const concluded = new Promise<[number, string]>((resolve, reject) => {
      r.on('conclude', (code: number, reason: Buffer) => resolve([code, reason.toString()]));
      r.on('error', reject);
    });
    r.write(goingAwayFrame(masked));
    expect(await concluded).toEqual([1001, '']);
  });

  it('masks with a fresh key each time', () => {
    const keys = new Set(Array.from({ length: 20 }, () => goingAwayFrame(true).subarray(2, 6).toString('hex')));
    expect(keys.size).toBeGreaterThan(15);
  });
});
