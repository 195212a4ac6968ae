// Upgraded connections (WebSocket) leave node:http's connection list, so nothing would close them
// on shutdown or drain. Every socket node:http hands over with 'upgrade' is held by its listener's
// UpgradedSockets from that moment (while the upstream's answer is awaited too), and every tunnel
// is also registered with its upstream server; they are closed by them (after a grace period) or
// by either end. A tunnel told to go away (drain timeout, shutdown) closes cleanly: a WebSocket
// gets Close frames 1001 at frame boundaries both ways (websocket-frames.ts).
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { FrameTracker, goingAwayFrame } from './websocket-frames';

/** How long a tunnel told to go away waits for its peers' Close replies (and FINs) before the cut. */
const GOING_AWAY_WAIT_MS = 1000;
const NOTHING = Buffer.alloc(0);

export class Tunnel {
  /** When it opened (epoch ms): a drain lets it live drainTimeout from then at least. */
  readonly openedAt = Date.now();
  private readonly sets: Set<Tunnel>[] = [];
  private readonly onClosed: (() => void)[] = [];
  private closed = false;
  private goingAway: NodeJS.Timeout | null = null;
  /** Client to upstream, and upstream to client. */
  private readonly toUpstream: Flow;
  private readonly toClient: Flow;

  constructor(
    readonly client: Duplex,
    readonly upstream: Socket,
    /** No byte either way for this long closes the tunnel (NGINX proxy_read_timeout); 0: never. */
    idleMs: number,
    /** A WebSocket: its frames are followed, so that going away sends Close frames (1001). */
    websocket: boolean,
  ) {
    const close = () => this.close();
    const closed = () => (this.goingAway === null ? this.close() : this.settle());
    client.on('error', close);
    client.on('close', closed);
    upstream.on('error', close);
    upstream.on('close', closed);
    // Every byte either way crosses the upstream socket, so its idle timer is the tunnel's.
    if (idleMs > 0) upstream.setTimeout(idleMs, close);
    this.toUpstream = new Flow(client, upstream, websocket ? new FrameTracker() : null, this);
    this.toClient = new Flow(upstream, client, websocket ? new FrameTracker() : null, this);
  }

  /**
   * Starts moving bytes both ways: first what the client sent before the upstream's answer, and
   * the upstream's bytes that came with its answer.
   */
  start(head: Buffer, early: readonly Buffer[]): void {
    if (this.closed) return;
    for (const chunk of early) this.toUpstream.onData(chunk);
    if (head.length > 0) this.toClient.onData(head);
    this.toUpstream.start();
    this.toClient.start();
  }

  /** Adds the tunnel to a registry; it leaves every registry when it closes. */
  register(set: Set<Tunnel>): void {
    if (this.closed) return;
    set.add(this);
    this.sets.push(set);
  }

  /** Runs `fn` once when the tunnel closes (e.g. to release the upstream server's claim). */
  whenClosed(fn: () => void): void {
    if (this.closed) fn();
    else this.onClosed.push(fn);
  }

  /**
   * Closes the tunnel cleanly (drain timeout, shutdown): a WebSocket gets a Close frame 1001 (Going
   * Away) each way, at the next frame boundary, and its peers have a moment to answer and close;
   * any other tunnel is ended both ways. Whatever is still open after that is cut.
   */
  goAway(): void {
    if (this.closed || this.goingAway !== null) return;
    this.goingAway = setTimeout(() => this.close(), GOING_AWAY_WAIT_MS);
    this.goingAway.unref();
    if (this.toUpstream.frames === null) {
      this.client.end();
      this.upstream.end();
      return;
    }
    this.toUpstream.closeAtBoundary(true);
    this.toClient.closeAtBoundary(false);
    this.settle();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.goingAway !== null) clearTimeout(this.goingAway);
    for (const set of this.sets) set.delete(this);
    this.client.destroy();
    this.upstream.destroy();
    for (const fn of this.onClosed.splice(0)) fn();
  }

  /** A flow's source ended (FIN): passed on, unless the tunnel is going away (settle decides). */
  flowEnded(flow: Flow): void {
    if (this.goingAway === null) flow.to.end();
    else this.settle();
  }

  /**
   * While going away: a peer that has our Close and has finished sending (its Close or its FIN)
   * is ended (after what is queued for it), and once both sockets are closed the tunnel is too.
   */
  settle(): void {
    if (this.goingAway === null || this.closed) return;
    if (this.toClient.closeSent && this.toUpstream.peerDone && !this.client.writableEnded) this.client.end();
    if (this.toUpstream.closeSent && this.toClient.peerDone && !this.upstream.writableEnded) this.upstream.end();
    if (this.client.destroyed && this.upstream.destroyed) this.close();
  }
}

/**
 * One direction of a tunnel: moves what `from` sends to `to`, with backpressure. For a WebSocket
 * it follows the frames, so a Close of ours goes between two frames, and nothing after it.
 */
class Flow {
  /** A Close frame has gone to `to` (ours, or the peer's own): later bytes are dropped. */
  closeSent = false;
  /** `from` sent its FIN. */
  private ended = false;
  /** What goes to `to` at the next frame boundary, before dropping the rest (ours, or nothing). */
  private closeFrame: Buffer | null = null;

  constructor(
    readonly from: Duplex,
    readonly to: Duplex,
    readonly frames: FrameTracker | null,
    private readonly tunnel: Tunnel,
  ) {}

  start(): void {
    this.from.on('data', this.onData);
    this.from.on('end', this.onEnd);
    this.to.on('drain', this.onDrain);
    if (!this.to.writableNeedDrain) this.from.resume();
  }

  /** The peer `from` sent a Close frame or its FIN: it sends nothing more that matters. */
  get peerDone(): boolean {
    return this.ended || (this.frames !== null && this.frames.closeFrames > 0);
  }

  /** Ends this direction with a Close frame at the next frame boundary (masked: to a server). */
  closeAtBoundary(masked: boolean): void {
    const frames = this.frames!;
    if (this.closeSent || this.closeFrame !== null) return;
    // The peer's own Close already went (or is going) this way: a second one would break the protocol.
    this.closeFrame = frames.closeFrames > 0 ? NOTHING : goingAwayFrame(masked);
    if (frames.atBoundary) this.sendClose();
  }

  readonly onData = (chunk: Buffer): void => {
    const frames = this.frames;
    if (frames === null) {
      this.forward(chunk);
    } else if (this.closeSent) {
      frames.feed(chunk); // dropped, but read: the peer's Close reply ends it
      this.tunnel.settle();
    } else if (this.closeFrame === null) {
      frames.feed(chunk);
      this.forward(chunk);
    } else {
      const end = frames.untilBoundary(chunk);
      if (end === -1) {
        this.forward(chunk);
        return;
      }
      this.forward(chunk.subarray(0, end));
      this.sendClose();
      frames.feed(chunk.subarray(end));
      this.tunnel.settle();
    }
  };

  private sendClose(): void {
    if (this.closeFrame!.length > 0) this.forward(this.closeFrame!);
    this.closeFrame = null;
    this.closeSent = true;
  }

  /**
   * Writes `chunk` and pauses `from` until 'drain' whenever write() says so, which for a chunk over
   * the highWaterMark is every time, even when the kernel took it whole. Kept on purpose: the pause
   * lets bytes gather in the kernel, so the next read is a full 64 KiB. Pausing only while `to`
   * still held bytes was measured at 3.5x the CPU per 64 KiB WebSocket message (many small reads).
   */
  private forward(chunk: Buffer): void {
    const to = this.to;
    if (to.writableEnded || to.destroyed) return;
    if (!to.write(chunk)) this.from.pause();
  }

  private readonly onEnd = (): void => {
    this.ended = true;
    this.tunnel.flowEnded(this);
  };

  private readonly onDrain = (): void => {
    this.from.resume();
  };
}

/** The sockets a listener handed to its upgrade handler, from the hand-over to their close. */
export class UpgradedSockets {
  /** Tunnels open now. */
  readonly tunnels = new Set<Tunnel>();
  /** Every upgraded client socket not yet closed: awaiting the upstream, answering, or tunnelling. */
  private readonly sockets = new Set<Duplex>();
  private waiting: (() => void)[] = [];
  private cut = false;

  /** Holds a socket node:http just handed over; it is let go when it closes. */
  hold(socket: Duplex): void {
    if (this.cut) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.settle();
    });
  }

  /** Registers a tunnel; after the cut (shutdown's grace is over) it is closed at once. */
  add(tunnel: Tunnel): void {
    if (this.cut) {
      tunnel.close();
      return;
    }
    tunnel.register(this.tunnels);
  }

  get size(): number {
    return this.sockets.size;
  }

  /** Resolves when every upgraded socket has closed. */
  whenEmpty(): Promise<void> {
    if (this.sockets.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /**
   * Shutdown's grace is over: tunnels go away (a WebSocket is told 1001 Going Away, then cut within
   * a second), every other upgraded socket closes, and none is accepted any more.
   */
  closeAll(): void {
    this.cut = true;
    const tunnelled = new Set<Duplex>();
    for (const tunnel of this.tunnels) {
      tunnelled.add(tunnel.client);
      tunnel.goAway();
    }
    for (const socket of [...this.sockets]) if (!tunnelled.has(socket)) socket.destroy();
  }

  private settle(): void {
    if (this.sockets.size !== 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}
