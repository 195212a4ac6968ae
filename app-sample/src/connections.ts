// Connection bookkeeping for a graceful stop. Node's server.close() stops accepting and closes
// idle keep-alive connections, but a connection that is busy at that moment stays open after its
// response and keeps serving (until the 5 s keep-alive timeout). Here, once draining:
// responses say "Connection: close", each connection closes as soon as it goes idle, and at the
// deadline every socket (upgraded WebSockets included) can be cut.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export class ConnectionTracker {
  readonly #sockets = new Set<Socket>();
  #draining = false;

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    // prepended: it must run before any handler writes the response head
    server.prependListener('request', (_req, res) => {
      if (this.#draining) res.setHeader('Connection', 'close');
      res.once('finish', () => {
        // next turn: Node marks the connection idle only after 'finish'
        if (this.#draining) setImmediate(() => this.server.closeIdleConnections());
      });
    });
  }

  get open(): number {
    return this.#sockets.size;
  }

  /** Stop accepting; resolves once every connection has closed. */
  drain(): Promise<void> {
    this.#draining = true;
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  /** Cut every connection now, busy or not. */
  destroyAll(): void {
    for (const socket of this.#sockets) socket.destroy();
  }
}
