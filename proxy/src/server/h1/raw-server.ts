// The plain-TCP server of the native HTTP/1.1 engine: every accepted socket becomes a RawConnection.
// Half-open is allowed so a client's FIN reaches the connection (which decides), and Nagle is off
// (node:http and NGINX tcp_nodelay do the same).
import net from 'node:net';
import type { RawConnections } from './raw-connections';

export function createRawServer(connections: RawConnections): net.Server {
  return net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => connections.add(socket));
}
