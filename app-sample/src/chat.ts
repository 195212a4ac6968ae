// A Socket.IO chat. Long-polling stays on (transports polling + websocket), so a client's
// requests must keep reaching the same instance: it only works across instances behind a sticky
// balancer. Broadcasts reach only the clients of this instance: there is no shared adapter
// (Redis and the like), on purpose.
import type { Server as HttpServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Server } from 'socket.io';
import {
  MAX_NICK_LENGTH,
  MAX_TEXT_LENGTH,
  type Ack,
  type ChatSocketData,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from './chat-events';
import type { Log } from './log';

export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, ChatSocketData>;

export function attachChat(httpServer: HttpServer, instanceId: string, log: Log): ChatServer {
  const io: ChatServer = new Server(httpServer, {
    transports: ['polling', 'websocket'],
    // the app serves the browser client itself (see client-script.ts): socket.io's own lookup
    // is relative to its package, which a bundle does not carry
    serveClient: false,
  });

  io.on('connection', (socket) => {
    socket.data.nick = `guest-${randomBytes(2).toString('hex')}`;
    const online = () => io.sockets.sockets.size;
    socket.emit('welcome', { instance: instanceId, nick: socket.data.nick, online: online() });
    socket.broadcast.emit('presence', { nick: socket.data.nick, joined: true, online: online() });
    log('chat join', { nick: socket.data.nick, transport: socket.conn.transport.name, online: online() });

    socket.on('nick', (raw, ack?: Ack) => {
      const nick = clean(raw, MAX_NICK_LENGTH);
      if (!nick) return ack?.({ ok: false, error: `a nickname is 1 to ${MAX_NICK_LENGTH} characters` });
      socket.data.nick = nick;
      ack?.({ ok: true, nick });
    });

    socket.on('message', (raw, ack?: Ack) => {
      const text = clean(raw, MAX_TEXT_LENGTH);
      if (!text) return ack?.({ ok: false, error: `a message is 1 to ${MAX_TEXT_LENGTH} characters` });
      io.emit('message', { nick: socket.data.nick, text, instance: instanceId, at: new Date().toISOString() });
      ack?.({ ok: true });
    });

    socket.on('disconnect', (reason) => {
      socket.broadcast.emit('presence', { nick: socket.data.nick, joined: false, online: online() });
      log('chat leave', { nick: socket.data.nick, reason });
    });
  });

  return io;
}

/** Trimmed text of 1..max characters, or undefined (non-strings and blanks are refused). */
function clean(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return text.length >= 1 && text.length <= max ? text : undefined;
}
