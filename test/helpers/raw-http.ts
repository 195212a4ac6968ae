// Raw TCP clients and servers for malformed HTTP: node's own clients refuse to send or read it.
import net from 'node:net';
import { registerCleanup } from './servers';

export interface RawReply {
  /** The status of the first response, or 0 when none came. */
  status: number;
  /** The first response's status line, e.g. "HTTP/1.1 400 Bad Request". */
  statusLine: string;
  /** Everything received, latin1. */
  text: string;
  /** The proxy closed the connection. */
  closed: boolean;
}

/**
 * Writes `bytes` (latin1) on a fresh connection; resolves once one whole response arrived (by its
 * Content-Length), the proxy closed, or `waitMs` passed. With `untilClose`, only the last two.
 */
export function rawRequest(port: number, bytes: string | Buffer, waitMs = 2000, untilClose = false): Promise<RawReply> {
  return new Promise((resolve) => {
    let text = '';
    let closed = false;
    const socket = net.connect(port, '127.0.0.1', () => socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes));
    const timer = setTimeout(done, waitMs);
    function done(): void {
      clearTimeout(timer);
      socket.destroy();
      const statusLine = text.slice(0, Math.max(0, text.indexOf('\r\n')));
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0), statusLine, text, closed });
    }
    socket.on('data', (d) => {
      text += d.toString('latin1');
      if (!untilClose && complete(text)) done();
    });
    socket.on('close', () => {
      closed = true;
      done();
    });
    socket.on('error', () => undefined);
    registerCleanup(async () => socket.destroy());
  });
}

function complete(text: string): boolean {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return false;
  const head = text.slice(0, end);
  if (/\r\ntransfer-encoding: *chunked/i.test(head)) return text.endsWith('\r\n0\r\n\r\n');
  const length = /\r\ncontent-length: *(\d+)/i.exec(head);
  return length !== null && text.length - end - 4 >= Number(length[1]);
}

export interface RawConnection {
  socket: net.Socket;
  /** Everything received so far, latin1. */
  readonly text: string;
  write(bytes: string | Buffer): void;
  /** Resolves with everything received once `done(text)` holds; rejects if the connection closes first. */
  until(done: (text: string) => boolean): Promise<string>;
  /** Resolves when the proxy (or the test) closed the connection. */
  closed: Promise<void>;
}

/** A raw connection kept open: write, then wait for what the proxy answers (pipelining, Expect, ...). */
export async function rawConnection(port: number): Promise<RawConnection> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  registerCleanup(async () => socket.destroy());
  let text = '';
  let waiter: (() => void) | null = null;
  socket.on('data', (d: Buffer) => {
    text += d.toString('latin1');
    waiter?.();
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  void closed.then(() => waiter?.());
  return {
    socket,
    get text() {
      return text;
    },
    write: (bytes) => socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes),
    until: (done) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (done(text)) {
            waiter = null;
            resolve(text);
          } else if (socket.destroyed) {
            waiter = null;
            reject(new Error(`connection closed; received: ${JSON.stringify(text.slice(0, 500))}`));
          }
        };
        waiter = check;
        check();
      }),
    closed,
  };
}

/** How many times `part` occurs in `text`. */
export function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}
