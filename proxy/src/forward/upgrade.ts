// HTTP/1.1 Upgrade (WebSocket, RFC 6455) tunnelling: the request head goes to a balanced server
// over a fresh connection, then bytes flow both ways untouched until either side closes.
// The Upgrade and Connection headers are the one place hop-by-hop headers must cross the proxy.
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import net, { type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { RequestContext } from '../request-context';
import type { UpstreamServer } from '../upstream/upstream-server';
import type { ForwardTarget } from './exchange';

export interface UpgradeOptions {
  connectTimeout: number;
  /** Called when a failed connect made the server unavailable (passive health). */
  onServerUnavailable(server: UpstreamServer, err: Error): void;
}

export function tunnelUpgrade(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  ctx: RequestContext,
  target: ForwardTarget,
  headers: string[],
  opts: UpgradeOptions,
): void {
  const upstream = target.upstream;
  const server = upstream.claim({ now: Date.now(), key: upstream.hashKey(ctx), tried: [] });
  if (server === null) {
    rejectUpgrade(client, 503);
    return;
  }
  let released = false;
  const release = () => {
    if (!released) {
      released = true;
      upstream.release(server);
    }
  };
  const upgrade = req.headers.upgrade ?? 'websocket';
  const lines = [`${req.method} ${req.url} HTTP/1.1`];
  for (let i = 0; i < headers.length; i += 2) lines.push(`${headers[i]}: ${headers[i + 1]}`);
  lines.push('connection: upgrade', `upgrade: ${upgrade}`, '', '');

  const socket: Socket = net.connect({ host: server.config.host, port: server.config.port, noDelay: true });
  socket.setTimeout(opts.connectTimeout, () => socket.destroy(new Error('connect timeout')));
  socket.once('connect', () => {
    socket.setTimeout(0);
    socket.write(lines.join('\r\n'));
    if (head.length) socket.write(head);
    socket.pipe(client);
    client.pipe(socket);
  });
  socket.on('error', (err) => {
    if (!socket.bytesRead) {
      if (server.recordFailure(Date.now())) opts.onServerUnavailable(server, err);
      rejectUpgrade(client, 502);
    } else client.destroy();
  });
  socket.on('close', () => {
    release();
    client.destroy();
  });
  client.on('error', () => socket.destroy());
  client.on('close', () => {
    release();
    socket.destroy();
  });
}

/** A minimal HTTP answer on a socket that never became a tunnel. */
export function rejectUpgrade(client: Duplex, status: number): void {
  if (client.destroyed) return;
  const reason = STATUS_CODES[status] ?? 'Error';
  client.end(`HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
}
