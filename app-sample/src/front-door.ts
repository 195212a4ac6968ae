// What happens to every HTTP request before Express or Socket.IO see it. Socket.IO replaces the
// server's 'request' listeners with its own router (socket.io paths to engine.io, the rest to
// Express), so a header set in Express would miss its responses: this sits in front of both.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ChatServer } from './chat';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Every response, WebSocket handshakes included, carries `X-Instance`; `answer` may handle a
 * request itself by returning true (the listeners behind it are then skipped).
 * Install after Socket.IO is attached.
 */
export function installFrontDoor(
  server: Server,
  io: ChatServer,
  instanceId: string,
  answer: (req: IncomingMessage, res: ServerResponse) => boolean,
): void {
  const behind = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('X-Instance', instanceId);
    if (answer(req, res)) return;
    for (const listener of behind) listener.call(server, req, res);
  });
  // the 101 of a WebSocket upgrade is written by ws, not through a ServerResponse
  io.engine.on('headers', (headers: Record<string, string>) => {
    headers['X-Instance'] = instanceId;
  });
}
