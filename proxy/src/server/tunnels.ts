// Upgraded connections (WebSocket) leave node:http's connection list, so nothing would close them
// on shutdown or drain. Every tunnel is registered with its listener and its upstream server, and
// closed by them (after a grace period) or by either end.
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export class Tunnel {
  private readonly sets: Set<Tunnel>[] = [];
  private readonly onClosed: (() => void)[] = [];
  private closed = false;

  constructor(
    readonly client: Duplex,
    readonly upstream: Socket,
  ) {
    const close = () => this.close();
    client.on('error', close);
    client.on('close', close);
    upstream.on('error', close);
    upstream.on('close', close);
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

  get isClosed(): boolean {
    return this.closed;
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

/** The tunnels of one listener. */
export class TunnelSet {
  readonly set = new Set<Tunnel>();
  private waiting: (() => void)[] = [];

  add(tunnel: Tunnel): void {
    tunnel.register(this.set);
    tunnel.whenClosed(() => this.settle());
    this.settle();
  }

  get size(): number {
    return this.set.size;
  }

  /** Resolves when every tunnel has closed on its own. */
  whenEmpty(): Promise<void> {
    if (this.set.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  closeAll(): void {
    for (const tunnel of [...this.set]) tunnel.close();
  }

  private settle(): void {
    if (this.set.size !== 0) return;
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}
