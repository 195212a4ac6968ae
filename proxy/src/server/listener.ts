// One plain HTTP/1.1 listening socket (TLS ones: secure-listener.ts): its HTTP/1.1 server (the
// native one, or node:http: http1-server-kind.ts), the client-side timeouts of the config (applied
// again on reload), and the tunnels its upgrades opened.
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ResolvedListener, ResolvedTimeouts } from '../config/resolved';
import { listen } from '../net/listen';
import { ClientIdleSweeper } from './client-idle';
import { DEFAULT_MAX_REQUEST_HEADERS } from './request-checks';
import type { Server as NetServer } from 'node:net';
import type { Logger } from '../log';
import { createHandlers, type ListenerHandlers, type ListenerSettings, type RuntimeSource } from './request-handler';
import type { H1Request } from './h1/h1-exchange';
import { http1ServerKind } from './h1/http1-server-kind';
import { createRawServer } from './h1/raw-server';
import { RawConnections } from './h1/raw-connections';
import { SecureListener } from './secure-listener';
import { UpgradedSockets } from './tunnels';
import type { TlsServices } from '../tls/tls-services';

export function listenerKey(l: Pick<ResolvedListener, 'host' | 'port'>): string {
  return `${l.host}:${l.port}`;
}

/** What cannot change on a running listener (a reload that changes it is refused): plain, TLS, TLS with h2. */
export function listenerKind(l: Pick<ResolvedListener, 'tls'>): 'http' | 'https' | 'h2' {
  return l.tls === null ? 'http' : l.tls.http2 ? 'h2' : 'https';
}

/** A traffic listener, plain (this file) or TLS (secure-listener.ts), as the proxy manages them. */
export interface TrafficListener {
  readonly name: string;
  readonly kind: 'http' | 'https' | 'h2';
  readonly server: NetServer;
  /**
   * Checks a reloaded config for this listener (certificates are built here) and returns how to
   * apply it; throws when it cannot be applied, and then nothing changed.
   */
  prepare(config: ResolvedListener, timeouts: ResolvedTimeouts): () => void;
  close(graceMs: number): Promise<void>;
}

/** Opens a plain or TLS listener as its config says. */
export function openListener(config: ResolvedListener, timeouts: ResolvedTimeouts, source: RuntimeSource, log: Logger, tls: TlsServices): Promise<TrafficListener> {
  return config.tls === null ? Listener.open(config, timeouts, source) : SecureListener.open(config, config.tls, timeouts, source, log, tls);
}

export class Listener implements TrafficListener {
  readonly kind = 'http';
  readonly upgraded = new UpgradedSockets();
  private readonly idle: ClientIdleSweeper;
  private readonly settings: ListenerSettings;
  private http1: Http1Connections | null = null;

  private constructor(
    readonly name: string,
    timeouts: ResolvedTimeouts,
    config: ResolvedListener,
  ) {
    this.idle = new ClientIdleSweeper({ keepAlive: timeouts.clientKeepAlive, body: timeouts.clientBody, send: timeouts.clientSend });
    this.settings = { redirectToHttps: config.redirectToHttps, hsts: null };
  }

  get server(): NetServer {
    return this.http1!.server;
  }

  static async open(config: ResolvedListener, timeouts: ResolvedTimeouts, source: RuntimeSource): Promise<Listener> {
    const listener = new Listener(config.name, timeouts, config);
    const handlers = createHandlers(source, 'http', listener.upgraded, listener.settings);
    const upgrade = upgradeFrom(listener.idle, listener.upgraded, handlers);
    const watch = (socket: Socket) => listener.idle.watch(socket);
    listener.http1 = http1ServerKind() === 'native' ? nativeHttp1(handlers.request, upgrade, watch, timeouts) : nodeHttp1(handlers.request, upgrade, watch, timeouts);
    listener.applyTimeouts(timeouts);
    await listen(listener.server, config.port, config.host);
    return listener;
  }

  prepare(config: ResolvedListener, timeouts: ResolvedTimeouts): () => void {
    return () => {
      this.settings.redirectToHttps = config.redirectToHttps;
      this.applyTimeouts(timeouts);
    };
  }

  /** The client timeouts of a (re)loaded config; connections already open follow them too. */
  applyTimeouts(timeouts: ResolvedTimeouts): void {
    this.http1!.setHeadersTimeout(timeouts.clientHeader);
    this.idle.setLimits({ keepAlive: timeouts.clientKeepAlive, body: timeouts.clientBody, send: timeouts.clientSend });
  }

  /**
   * Stops accepting, lets requests and tunnels in flight finish for up to `graceMs`, then cuts
   * what is left (tunnels included: the HTTP server no longer counts upgraded sockets as its own).
   */
  async close(graceMs: number): Promise<void> {
    const http1 = this.http1!;
    const closed = new Promise<void>((resolve) => http1.server.close(() => resolve()));
    http1.closeIdle();
    const timer = setTimeout(() => {
      http1.closeAll();
      this.upgraded.closeAll();
    }, graceMs);
    timer.unref();
    await Promise.all([closed, this.upgraded.whenEmpty()]);
    clearTimeout(timer);
  }
}

/** A listener's HTTP/1.1 server, native or node:http, as the listener drives it. */
interface Http1Connections {
  readonly server: NetServer;
  setHeadersTimeout(ms: number): void;
  closeIdle(): void;
  closeAll(): void;
}

type UpgradeHandler = (req: H1Request, socket: Duplex, head: Buffer) => void;

/** What a listener does with an upgrade request's socket before routing it. */
export function upgradeFrom(idle: ClientIdleSweeper, upgraded: UpgradedSockets, handlers: ListenerHandlers): UpgradeHandler {
  return (req, socket, head) => {
    idle.forget(socket as Socket); // a tunnel has its own lifetime
    upgraded.hold(socket); // from now on the HTTP server no longer closes it: shutdown must
    handlers.upgrade(req, socket, head);
  };
}

function nativeHttp1(request: ListenerHandlers['request'], upgrade: UpgradeHandler, watch: (socket: Socket) => void, timeouts: ResolvedTimeouts): Http1Connections {
  const connections = new RawConnections({ request, upgrade }, headerCheckInterval(timeouts.clientHeader));
  const server = createRawServer(connections);
  server.on('connection', watch);
  return {
    server,
    setHeadersTimeout: (ms) => (connections.headersTimeout = ms),
    closeIdle: () => connections.closeIdle(),
    closeAll: () => connections.closeAll(),
  };
}

function nodeHttp1(request: ListenerHandlers['request'], upgrade: UpgradeHandler, watch: (socket: Socket) => void, timeouts: ResolvedTimeouts): Http1Connections {
  const server = http.createServer({
    keepAliveTimeout: 0, // idle connections are closed by the ClientIdleSweeper instead
    requestTimeout: 0, // a whole-request limit would cut long uploads; idle timeouts guard instead
    connectionsCheckingInterval: headerCheckInterval(timeouts.clientHeader),
    noDelay: true,
  });
  // Above the limit, so the request handler sees the excess and answers 431: at its own limit
  // node:http silently drops the fields beyond it and the request goes on without them.
  server.maxHeadersCount = DEFAULT_MAX_REQUEST_HEADERS + 1;
  server.on('request', request);
  server.on('connection', watch);
  server.on('upgrade', upgrade);
  return {
    server,
    setHeadersTimeout: (ms) => (server.headersTimeout = ms),
    closeIdle: () => server.closeIdleConnections(),
    closeAll: () => server.closeAllConnections(),
  };
}

/**
 * How often node:http looks for connections past headersTimeout: a head timeout fires up to one
 * interval late. A quarter of the limit within 25 ms..1 s, so 60 s fires by 61 s (node's own
 * min(30 s, limit / 2) let it fire at 89 s) and 300 ms by 375 ms. Fixed when the listener opens:
 * a reload that shortens clientHeader keeps the old interval (at most 1 s).
 */
export function headerCheckInterval(clientHeader: number): number {
  if (clientHeader <= 0) return 1000; // no head timeout: the check has nothing to do
  return Math.max(25, Math.min(1000, Math.floor(clientHeader / 4)));
}
