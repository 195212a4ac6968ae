// Upgraded connections (WebSocket) leave node:http's connection list, so nothing would close them
// on shutdown or drain. Every socket node:http hands over with 'upgrade' is held by its listener's
// UpgradedSockets from that moment (while the upstream's answer is awaited too), and every tunnel
// is also registered with its upstream server; they are closed by them (after a grace period) or
// by either end.
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export class Tunnel {
  private readonly sets: Set<Tunnel>[] = [];
  private readonly onClosed: (() => void)[] = [];
  private closed = false;

  constructor(
    readonly client: Duplex,
    readonly upstream: Socket,
    /** No byte either way for this long closes the tunnel (NGINX proxy_read_timeout); 0: never. */
    idleMs: number,
  ) {
    const close = () => this.close();
    client.on('error', close);
    client.on('close', close);
    upstream.on('error', close);
    upstream.on('close', close);
    // Every byte either way crosses the upstream socket, so its idle timer is the tunnel's.
    if (idleMs > 0) upstream.setTimeout(idleMs, close);
  }

  /** Starts moving bytes both ways, after whatever of the upstream's bytes already arrived. */
  start(head: Buffer): void {
    if (this.closed) return;
    if (head.length > 0) this.client.write(head);
    this.upstream.pipe(this.client);
    this.client.pipe(this.upstream);
    this.upstream.resume();
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

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const set of this.sets) set.delete(this);
    this.client.destroy();
    this.upstream.destroy();
    for (const fn of this.onClosed.splice(0)) fn();
  }
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

  /** Shutdown's grace is over: every upgraded socket closes, and none is accepted any more. */
  closeAll(): void {
    this.cut = true;
    for (const tunnel of [...this.tunnels]) tunnel.close();
    for (const socket of [...this.sockets]) socket.destroy();
  }

  private settle(): void {
    if (this.sockets.size !== 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}
