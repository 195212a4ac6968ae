// One HTTP/1.1 listening socket, with the client-side timeouts of the config.
import http, { type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ResolvedListener, ResolvedTimeouts } from '../config/resolved';
import { ClientIdleSweeper } from './client-idle';
import { DEFAULT_MAX_REQUEST_HEADERS } from './request-checks';

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
      keepAliveTimeout: 0, // idle connections are closed by the ClientIdleSweeper instead
      headersTimeout: timeouts.clientHeader,
      requestTimeout: 0, // a whole-request limit would cut long uploads; idle timeouts guard instead
      connectionsCheckingInterval: headerCheckInterval(timeouts.clientHeader),
      noDelay: true,
    },
    handlers.request,
  );
  // Above the limit, so the request handler sees the excess and answers 431: at its own limit
  // node:http silently drops the fields beyond it and the request goes on without them.
  server.maxHeadersCount = DEFAULT_MAX_REQUEST_HEADERS + 1;
  const idle = new ClientIdleSweeper({ keepAlive: timeouts.clientKeepAlive, body: timeouts.clientBody });
  server.on('connection', (socket: Socket) => idle.watch(socket));
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    idle.forget(socket as Socket); // a tunnel has its own lifetime
    handlers.upgrade(req, socket, head);
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

/**
 * How often node:http looks for connections past headersTimeout: a head timeout fires up to one
 * interval late. A quarter of the limit within 25 ms..1 s, so 60 s fires by 61 s (node's own
 * min(30 s, limit / 2) let it fire at 89 s) and 300 ms by 375 ms.
 */
function headerCheckInterval(clientHeader: number): number {
  if (clientHeader <= 0) return 1000; // no head timeout: the check has nothing to do
  return Math.max(25, Math.min(1000, Math.floor(clientHeader / 4)));
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
