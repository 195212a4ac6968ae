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
