// Client-side idle timeouts (NGINX keepalive_timeout and client_body_timeout), kept by one coarse
// sweep over the open connections. node:http's own socket timeout is re-armed on every read, every
// write and twice per request (keep-alive on, then off): ~1 µs of a 33 µs proxied request here.
// The sweep costs nothing per request: a connection counts as active when its byte counters moved
// since the last sweep, so a timeout fires up to two ticks late, never early.
import type { Socket } from 'node:net';
import { kCurrentRequest, type TrackedSocket } from '../downstream/h1-downstream';

export interface ClientIdleLimits {
  /** Idle between requests (keepalive_timeout); 0 disables. */
  keepAlive: number;
  /** Silence while a request body is still arriving (client_body_timeout); 0 disables. */
  body: number;
  /**
   * An answer written whole (a held body, or the tail of a streamed one) that the client does not
   * take (send_timeout); 0 disables. Streamed bodies that fill the buffer are timed by the client
   * writer; this covers what is already written when the client stops reading.
   */
  send: number;
}

interface Watched {
  read: number;
  written: number;
  /** When the counters last moved (as seen by a sweep). */
  since: number;
}

export class ClientIdleSweeper {
  private readonly watched = new Map<TrackedSocket, Watched>();
  private timer: NodeJS.Timeout | null = null;
  private tickMs = 1000;
  private limits: ClientIdleLimits = { keepAlive: 0, body: 0, send: 0 };

  constructor(limits: ClientIdleLimits) {
    this.setLimits(limits);
  }

  /** New limits (a reload): they apply to the connections already watched, from the next sweep. */
  setLimits(limits: ClientIdleLimits): void {
    this.limits = limits;
    // A quarter of the shortest limit (Infinity when none is set), within 25 ms..1 s.
    const shortest = Math.min(...[limits.keepAlive, limits.body, limits.send].filter((ms) => ms > 0));
    const tick = Math.max(25, Math.min(1000, Math.floor(shortest / 4)));
    if (tick !== this.tickMs && this.timer !== null) {
      this.stop();
      this.timer = setInterval(() => this.sweep(), tick);
      this.timer.unref();
    }
    this.tickMs = tick;
  }

  watch(socket: Socket): void {
    if (this.limits.keepAlive <= 0 && this.limits.body <= 0 && this.limits.send <= 0) return;
    this.watched.set(socket, { read: socket.bytesRead, written: socket.bytesWritten, since: Date.now() });
    socket.once('close', () => this.forget(socket));
    if (this.timer === null) {
      this.timer = setInterval(() => this.sweep(), this.tickMs);
      this.timer.unref();
    }
  }

  /** Stops watching a socket (closed, or taken over by an upgrade with its own lifetime). */
  forget(socket: Socket): void {
    this.watched.delete(socket);
    if (this.watched.size === 0) this.stop();
  }

  private stop(): void {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const [socket, w] of this.watched) {
      const read = socket.bytesRead;
      const written = socket.bytesWritten;
      if (read !== w.read || written !== w.written) {
        w.read = read;
        w.written = written;
        w.since = now;
        continue;
      }
      const limit = this.limitFor(socket);
      if (limit > 0 && now - w.since >= limit) {
        this.forget(socket);
        socket.destroy();
      }
    }
  }

  /** Which timeout applies to a silent connection right now; 0 for none. */
  private limitFor(socket: TrackedSocket): number {
    const current = socket[kCurrentRequest];
    if (current === undefined || current.responseFinished) return this.limits.keepAlive;
    // Written whole but not flushed: the client is not taking it (nothing moved for a whole limit).
    if (current.responseEnded) return this.limits.send;
    // The request is in and the proxy waits on the upstream or on the client reading the answer
    // (the upstream timeouts and the client send timeout govern those waits), or the proxy itself
    // stopped reading the body because the upstream is slow to take it (the upstream's send
    // timeout governs that).
    if (current.bodyComplete || current.bodyHeldBack) return 0;
    return this.limits.body;
  }
}
