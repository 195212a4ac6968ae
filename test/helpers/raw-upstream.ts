// A raw TCP upstream for upgrade and misbehaviour tests: it answers each connection's first request
// head by hand, and records what it read.
import net, { type AddressInfo, type Socket } from 'node:net';
import { registerCleanup } from './servers';

/** A WebSocket upgrade request head (RFC 6455 §1.2's sample key). */
export const UPGRADE = (path = '/ws', protocol = 'websocket') =>
  `GET ${path} HTTP/1.1\r\nhost: x\r\nconnection: upgrade\r\nupgrade: ${protocol}\r\n` +
  'sec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';

export interface RawUpstream {
  address: string;
  sockets: Socket[];
  /** Each connection's first request head, as read. */
  heads: string[];
  /** Every chunk read, on every connection. */
  received: string[];
}

/** `onHead` gets each connection's first request head; the upstream is closed after the test. */
export async function rawUpstream(onHead: (socket: Socket, head: string) => void): Promise<RawUpstream> {
  const sockets: Socket[] = [];
  const heads: string[] = [];
  const received: string[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    let seen = '';
    let answered = false;
    socket.on('data', (d) => {
      seen += d.toString('latin1');
      received.push(d.toString('latin1'));
      if (!answered && seen.includes('\r\n\r\n')) {
        answered = true;
        heads.push(seen);
        onHead(socket, seen);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  registerCleanup(async () => {
    sockets.forEach((s) => s.destroy());
    await new Promise((r) => server.close(r));
  });
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, sockets, heads, received };
}
