// node:http2's secure server with allowHTTP1 hands sockets that chose http/1.1 (or no ALPN) to
// node:http. The native server takes them instead: node:http2 reads new TLS connections in its
// one 'secureConnection' listener (the constructor's); it is replaced by one that passes h2 sockets
// to it and gives the others to RawConnections. Should a Node version wire the server otherwise
// (not exactly one such listener), nothing is replaced and node:http keeps them (returns false).
import type { Http2SecureServer } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import type { RawConnections } from './raw-connections';

export function takeHttp1Connections(server: Http2SecureServer, connections: RawConnections): boolean {
  const listeners = server.listeners('secureConnection');
  if (listeners.length !== 1 || typeof listeners[0] !== 'function') return false;
  const http2Listener = listeners[0] as (this: Http2SecureServer, socket: TLSSocket) => void;
  server.removeListener('secureConnection', http2Listener);
  server.on('secureConnection', function (this: Http2SecureServer, socket: TLSSocket) {
    if (socket.alpnProtocol === 'h2') http2Listener.call(this, socket);
    else connections.add(socket);
  });
  return true;
}
