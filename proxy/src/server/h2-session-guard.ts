// Per-session defences of an HTTP/2 listener. Rapid reset (CVE-2023-44487): a client that opens
// streams and resets them at once makes the proxy start work (an upstream request) for nothing;
// resets by the client are counted per session in a fixed window, and past the limit the session
// gets GOAWAY ENHANCE_YOUR_CALM and is closed. nghttp2 (1.57+, in Node 18.18+ and 20.8+) has a
// rate limit of its own (1000 burst, 33/s); this one is tighter and does not depend on the
// bundled version. CONTINUATION floods (CVE-2024-27983 and kin) are refused by nghttp2 1.61+
// itself (Node 18.20.1, 20.12.1): tested in h2-limits.test.ts.
import { constants, type ServerHttp2Session } from 'node:http2';

const { NGHTTP2_ENHANCE_YOUR_CALM } = constants;

/** Client resets tolerated per window (browsers cancel a few streams on navigation, not hundreds). */
export const MAX_RESETS_PER_WINDOW = 200;
export const RESET_WINDOW_MS = 10_000;

/** How long a closed abuser's streams in flight may take before the connection is cut. */
const GOAWAY_GRACE_MS = 1000;

export const kGuard = Symbol('portico.h2Guard');
export type GuardedSession = ServerHttp2Session & { [kGuard]?: SessionGuard };

export class SessionGuard {
  private windowStart = Date.now();
  private resets = 0;
  /** The session was closed for abuse. */
  tripped = false;
  /**
   * The client's address, read once per session: session.socket is a Proxy, and reading an
   * address through it per stream was ~1% of an h2 request's CPU.
   */
  readonly peer: string;

  constructor(private readonly session: ServerHttp2Session) {
    this.peer = session.socket?.remoteAddress ?? '';
  }

  /** A stream the client reset before its answer was complete. */
  clientReset(): void {
    const now = Date.now();
    if (now - this.windowStart > RESET_WINDOW_MS) {
      this.windowStart = now;
      this.resets = 0;
    }
    if (++this.resets > MAX_RESETS_PER_WINDOW && !this.tripped) {
      this.tripped = true;
      // GOAWAY with the code (destroy(code) alone may cut the socket before the frame is out),
      // then the connection goes once its streams are done, or after a moment at most.
      const session = this.session;
      session.goaway(NGHTTP2_ENHANCE_YOUR_CALM);
      session.close();
      setTimeout(destroySession, GOAWAY_GRACE_MS, session).unref();
    }
  }
}

function destroySession(session: ServerHttp2Session): void {
  if (!session.destroyed) session.destroy();
}
