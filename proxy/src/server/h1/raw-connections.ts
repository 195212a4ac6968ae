// The native HTTP/1.1 connections of one listener: plain sockets (raw-server.ts) or TLS sockets that
// chose http/1.1 (secure-listener.ts). Owns their head timeout (node:http's headersTimeout: a head
// not whole this long after its first byte gets 408) and closes them on shutdown, idle ones first.
import type { Socket } from 'node:net';
import { RawConnection, type ConnectionOwner, type RawHandlers } from './raw-connection';

/** Bytes of a request head (request line and fields) before 431, as node:http's default. */
export const MAX_HEAD_BYTES = 16 * 1024;

export class RawConnections implements ConnectionOwner {
  readonly maxHeadBytes = MAX_HEAD_BYTES;
  private readonly open = new Set<RawConnection>();
  private timer: NodeJS.Timeout | null = null;
  /** Shutting down: no new connections, none kept alive after its answer. */
  closing = false;
  /** ms; 0: no head timeout. */
  headersTimeout = 0;

  constructor(
    readonly handlers: RawHandlers,
    /** How often heads are checked for the timeout (ms). */
    private readonly checkInterval: number,
  ) {}

  get size(): number {
    return this.open.size;
  }

  add(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    this.open.add(new RawConnection(socket, this));
    if (this.timer === null) {
      this.timer = setInterval(() => this.checkHeads(), this.checkInterval);
      this.timer.unref();
    }
  }

  connectionClosed(connection: RawConnection): void {
    this.open.delete(connection);
    if (this.open.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** No new connections from now on; those between requests are closed. */
  closeIdle(): void {
    this.closing = true;
    for (const connection of this.open) if (connection.idle) connection.destroy();
  }

  closeAll(): void {
    this.closing = true;
    for (const connection of this.open) connection.destroy();
  }

  private checkHeads(): void {
    const limit = this.headersTimeout;
    if (limit <= 0) return;
    const now = Date.now();
    for (const connection of this.open) {
      const started = connection.headStartedAt;
      if (started > 0 && now - started >= limit) connection.headTimedOut();
    }
  }
}
