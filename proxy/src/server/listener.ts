// One HTTP/1.1 listening socket: its node:http server, the client-side timeouts of the config
// (applied again on reload), and the tunnels its upgrades opened.
import http, { type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ResolvedListener, ResolvedTimeouts } from '../config/resolved';
import { ClientIdleSweeper } from './client-idle';
import { createHandlers, type RuntimeSource } from './request-handler';
import { TunnelSet } from './tunnels';

export function listenerKey(l: Pick<ResolvedListener, 'host' | 'port'>): string {
  return `${l.host}:${l.port}`;
}

export class Listener {
  readonly tunnels = new TunnelSet();
  private readonly idle: ClientIdleSweeper;

  private constructor(
    readonly name: string,
    readonly server: Server,
    timeouts: ResolvedTimeouts,
  ) {
    this.idle = new ClientIdleSweeper({ keepAlive: timeouts.clientKeepAlive, body: timeouts.clientBody });
    this.applyTimeouts(timeouts);
  }

  static async open(config: ResolvedListener, timeouts: ResolvedTimeouts, source: RuntimeSource): Promise<Listener> {
    const server = http.createServer({
      keepAliveTimeout: 0, // idle connections are closed by the ClientIdleSweeper instead
      requestTimeout: 0, // a whole-request limit would cut long uploads; idle timeouts guard instead
      // node checks the header timeout on this interval: it fires up to one interval late.
      connectionsCheckingInterval: Math.min(1000, Math.max(25, Math.floor(timeouts.clientHeader / 4))),
      noDelay: true,
    });
    const listener = new Listener(config.name, server, timeouts);
    const handlers = createHandlers(source, 'http', listener.tunnels);
    server.on('request', handlers.request);
    server.on('connection', (socket: Socket) => listener.idle.watch(socket));
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      listener.idle.forget(socket as Socket); // a tunnel has its own lifetime
      handlers.upgrade(req, socket, head);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return listener;
  }

  /** The client timeouts of a (re)loaded config; connections already open follow them too. */
  applyTimeouts(timeouts: ResolvedTimeouts): void {
    this.server.headersTimeout = timeouts.clientHeader;
    this.idle.setLimits({ keepAlive: timeouts.clientKeepAlive, body: timeouts.clientBody });
  }

  /**
   * Stops accepting, lets requests and tunnels in flight finish for up to `graceMs`, then cuts
   * what is left (tunnels included: node:http no longer counts upgraded sockets as its own).
   */
  async close(graceMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const timer = setTimeout(() => {
      this.server.closeAllConnections();
      this.tunnels.closeAll();
    }, graceMs);
    timer.unref();
    await Promise.all([closed, this.tunnels.whenEmpty()]);
    clearTimeout(timer);
  }
}
