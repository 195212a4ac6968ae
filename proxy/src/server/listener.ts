// One HTTP/1.1 listening socket, with the client-side timeouts of the config.
import http, { type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ResolvedListener, ResolvedTimeouts } from '../config/resolved';

export interface ListenerHandlers {
  request: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  upgrade: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;
}

export function listenerKey(l: Pick<ResolvedListener, 'host' | 'port'>): string {
  return `${l.host}:${l.port}`;
}

export async function openListener(
  config: ResolvedListener,
  timeouts: ResolvedTimeouts,
  handlers: ListenerHandlers,
): Promise<Server> {
  const server = http.createServer(
    {
      keepAliveTimeout: timeouts.clientKeepAlive,
      headersTimeout: timeouts.clientHeader,
      requestTimeout: 0, // a whole-request limit would cut long uploads; idle timeouts guard instead
      connectionsCheckingInterval: Math.min(30_000, Math.max(100, timeouts.clientHeader / 2)),
      noDelay: true,
    },
    handlers.request,
  );
  server.on('upgrade', handlers.upgrade);
  // client_body_timeout: a connection silent this long is closed, unless its request body is in and
  // the proxy is waiting on the upstream (the upstream's own timeouts govern that wait).
  server.setTimeout(timeouts.clientBody, (socket: Socket) => {
    const res = (socket as Socket & { _httpMessage?: http.ServerResponse })._httpMessage;
    if (res && res.req.complete && !res.writableEnded) return;
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** Stops accepting, lets requests in flight finish for up to `graceMs`, then cuts what is left. */
export async function closeListener(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  timer.unref();
  await closed;
  clearTimeout(timer);
}
