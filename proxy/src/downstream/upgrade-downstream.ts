// The Downstream of an HTTP/1.1 Upgrade request (WebSocket): node:http hands over the raw socket,
// so every answer is written here by hand. A 101 from the upstream becomes a tunnel registered with
// the listener; any other answer is a normal response, delimited by closing the connection.
import type { H1Request } from '../server/h1/h1-exchange';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { Readable, type Duplex } from 'node:stream';
import { isValidHeaderValue } from '../forward/header-rules';
import { Tunnel, type UpgradedSockets } from '../server/tunnels';
import type { Downstream, DownstreamCloseListener, DownstreamDrainListener } from './downstream';
import { H1RequestView } from './request-view';

/** What a client may send before the upstream's 101 (its first frames); more closes it. */
const MAX_EARLY_BYTES = 64 * 1024;

export interface UpgradeTimeouts {
  /** How long a client may take to read an answer that is not a tunnel (send timeout). */
  sendTimeout: number;
  /** A tunnel with no byte either way for this long is closed; 0: never. */
  tunnelIdle: number;
}

export class UpgradeDownstream extends H1RequestView implements Downstream {
  headersSent = false;
  private closeListener: DownstreamCloseListener | null = null;

  constructor(
    req: H1Request,
    private readonly socket: Duplex,
    /** Bytes the client sent after its request head (the first WebSocket frames, if any). */
    private readonly clientHead: Buffer,
    scheme: string,
    host: string,
    peer: string,
    private readonly upgraded: UpgradedSockets,
    /** The Upgrade token asked of the upstream (one the route allows), or null: a plain request. */
    readonly protocol: string | null,
    private readonly timeouts: UpgradeTimeouts,
  ) {
    super(req, scheme, host, peer);
    socket.on('error', () => socket.destroy());
    // node:http stopped reading the socket at the hand-over. Read on while the upstream answers:
    // a client that goes away is noticed at once (its claim on a server is released), and what it
    // sends early is kept for the tunnel.
    socket.on('data', this.onEarlyData);
    socket.on('end', this.onEarlyEnd);
  }

  private early: Buffer[] = [];
  private earlyBytes = 0;

  private readonly onEarlyData = (chunk: Buffer) => {
    this.earlyBytes += chunk.length;
    if (this.earlyBytes > MAX_EARLY_BYTES) this.socket.destroy();
    else this.early.push(chunk);
  };

  /** The client half-closed before any answer: it is gone. */
  private readonly onEarlyEnd = () => this.socket.destroy();

  /** Stops the early reading; returns what was read (with the bytes node:http read past the head). */
  private takeEarly(): Buffer[] {
    this.socket.off('data', this.onEarlyData);
    this.socket.off('end', this.onEarlyEnd);
    const early = this.clientHead.length > 0 ? [this.clientHead, ...this.early] : this.early;
    this.early = [];
    return early;
  }

  /** Upgrade requests with a body are refused before routing; this one has none. */
  openBody(): Readable {
    return Readable.from([]);
  }

  get bodyComplete(): boolean {
    return true;
  }

  discardBody(): void {}

  writeHead(status: number, headers: string[]): void {
    this.socket.write(statusHead(status, headers, ['connection', 'close']), 'latin1');
    this.headersSent = true;
  }

  write(chunk: Buffer): boolean {
    return this.socket.write(chunk);
  }

  cork(): void {
    this.socket.cork();
  }

  end(last: Buffer | null): void {
    this.close(last);
  }

  awaitDrain(listener: DownstreamDrainListener): void {
    this.socket.once('drain', () => listener.downstreamDrained());
  }

  fail(status: number, code: string): void {
    if (this.socket.destroyed) return;
    if (this.headersSent) {
      this.socket.destroy();
      return;
    }
    this.headersSent = true;
    const body = `${status} ${STATUS_CODES[status] ?? 'Error'}: ${code}\n`;
    this.close(Buffer.from(statusHead(status, ['content-type', 'text/plain', 'content-length', String(body.length)], ['connection', 'close']) + body, 'latin1'));
  }

  /**
   * Ends an answer that did not become a tunnel. node:http's sockets are half-open capable and
   * nothing reads this one any more, so a FIN alone would leave it open for as long as the client
   * keeps its side open: what the client still sends is discarded, and the socket is destroyed
   * once the answer is flushed, or after the send timeout if the client does not read it.
   */
  private close(last: Buffer | null): void {
    const socket = this.socket;
    this.takeEarly();
    socket.resume();
    const timer = setTimeout(() => socket.destroy(), this.timeouts.sendTimeout);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
    };
    if (last === null) socket.end(done);
    else socket.end(last, done);
  }

  abort(): void {
    this.socket.destroy();
  }

  reset(): void {
    this.socket.destroy();
  }

  onClose(listener: DownstreamCloseListener): void {
    if (this.closeListener === null) this.socket.once('close', () => this.closeListener?.downstreamClosed());
    this.closeListener = listener;
  }

  upgrade(status: number, headers: string[], upstream: Socket, head: Buffer): Tunnel | null {
    if (this.socket.destroyed || this.protocol === null) return null;
    // The upstream client checked that the 101's Upgrade matches `protocol`.
    this.socket.write(statusHead(status, headers, ['connection', 'upgrade', 'upgrade', this.protocol]), 'latin1');
    this.headersSent = true;
    const tunnel = new Tunnel(this.socket, upstream, this.timeouts.tunnelIdle, this.protocol === 'websocket');
    this.upgraded.add(tunnel);
    tunnel.start(head, this.takeEarly());
    return tunnel;
  }
}

/** A status line and header block; throws (as node:http would) on a value that could split it. */
function statusHead(status: number, headers: string[], extra: string[]): string {
  let out = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
  for (const list of [headers, extra]) {
    for (let i = 0; i < list.length; i += 2) {
      if (!isValidHeaderValue(list[i]) || !isValidHeaderValue(list[i + 1])) throw new TypeError(`invalid header ${list[i]}`);
      out += `${list[i]}: ${list[i + 1]}\r\n`;
    }
  }
  return `${out}\r\n`;
}
