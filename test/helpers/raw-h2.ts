// A hand-made HTTP/2 client over TLS for hostile-peer tests: raw frames out, frames in.
import { connect, type TLSSocket } from 'node:tls';
import { registerCleanup } from './servers';

export const FRAME = { DATA: 0, HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, GOAWAY: 7, CONTINUATION: 9 } as const;
export const FLAG = { END_STREAM: 0x1, END_HEADERS: 0x4 } as const;

export interface Frame {
  type: number;
  flags: number;
  stream: number;
  payload: Buffer;
}

export function frame(type: number, flags: number, stream: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}

/** HPACK for GET / https, :authority localhost (indexed and literal fields, no Huffman). */
export const GET_ROOT = Buffer.concat([Buffer.from([0x82, 0x87, 0x84, 0x01, 9]), Buffer.from('localhost')]);

export interface RawH2 {
  socket: TLSSocket;
  frames: Frame[];
  /** Resolves when the server closed the connection. */
  closed: Promise<void>;
  /** The first GOAWAY's error code, once one came. */
  goaway(): number | null;
}

/** Connects with ALPN h2 and sends the preface and an empty SETTINGS. */
export function rawH2(port: number): Promise<RawH2> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', ALPNProtocols: ['h2'], rejectUnauthorized: false, servername: 'localhost' }, () => {
      socket.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), frame(FRAME.SETTINGS, 0, 0)]));
      resolve(client);
    });
    registerCleanup(async () => socket.destroy());
    const frames: Frame[] = [];
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 9) {
        const length = pending.readUIntBE(0, 3);
        if (pending.length < 9 + length) break;
        frames.push({ type: pending[3], flags: pending[4], stream: pending.readUInt32BE(5) & 0x7fffffff, payload: pending.subarray(9, 9 + length) });
        pending = pending.subarray(9 + length);
      }
    });
    socket.on('error', () => undefined);
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    const client: RawH2 = {
      socket,
      frames,
      closed,
      goaway: () => {
        const g = frames.find((f) => f.type === FRAME.GOAWAY);
        return g === undefined ? null : g.payload.readUInt32BE(4);
      },
    };
    socket.once('error', reject);
  });
}
