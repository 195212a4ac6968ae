// One TLS listening socket. With http2 (the default): node:http2's secure server with allowHTTP1,
// so ALPN offers h2 and http/1.1 on one port; h2 streams go to h2-streams.ts, HTTP/1.1 requests and
// upgrades to the same handlers as a plain listener, read by the native HTTP/1.1 server
// (h1/http1-over-h2.ts) or node:http (h1/http1-server-kind.ts). Without: a TLS server whose
// connections the native server reads, or node's https server.
// Certificates (SNI), ticket keys and the session cache belong to the listener and survive
// reloads; a reload or a change of the files builds new secure contexts once, and connections
// already open keep theirs. With `tls.acme` the store also holds the ACME certificates (shared
// through TlsServices, so they survive the store's rebuilds); with `ocspStapling` every served
// chain is stapled by the shared OcspStapler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import http2, { type Http2SecureServer, type ServerHttp2Session } from 'node:http2';
import https from 'node:https';
import type { Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import type { LoadedCertificate, ResolvedListener, ResolvedTimeouts, ResolvedTls } from '../config/resolved';
import type { Logger } from '../log';
import { listen } from '../net/listen';
import { tcpSocketUnder } from '../net/tcp-under-tls';
import { loadCertificate } from '../tls/certificate-files';
import { CertificateStore } from '../tls/certificate-store';
import { CertificateWatcher } from '../tls/certificate-watcher';
import { SessionCache } from '../tls/session-cache';
import { newTicketKeys, TicketKeyRotation } from '../tls/ticket-keys';
import type { StaplingListener, TlsServices } from '../tls/tls-services';
import { ClientIdleSweeper } from './client-idle';
import { kGuard, SessionGuard, type GuardedSession } from './h2-session-guard';
import { createStreamHandler } from './h2-streams';
import { headerCheckInterval, upgradeFrom, type TrafficListener } from './listener';
import { http1ServerKind } from './h1/http1-server-kind';
import { takeHttp1Connections } from './h1/http1-over-h2';
import { RawConnections } from './h1/raw-connections';
import { DEFAULT_MAX_REQUEST_HEADERS } from './request-checks';
import { createHandlers, type ListenerSettings, type RuntimeSource } from './request-handler';
import { UpgradedSockets } from './tunnels';

type SecureServer = Http2SecureServer | https.Server | TlsServer;

export class SecureListener implements TrafficListener, StaplingListener {
  readonly kind: 'https' | 'h2';
  readonly upgraded = new UpgradedSockets();
  private readonly settings: ListenerSettings;
  private readonly idle: ClientIdleSweeper;
  private readonly sessions = new Set<ServerHttp2Session>();
  private readonly sockets = new Set<TLSSocket>();
  /**
   * TCP connections accepted whose TLS handshake is not done: close() cuts them at the grace (one
   * that never sends a ClientHello would hold the server's close until node's handshakeTimeout, 120 s).
   */
  private readonly handshaking = new Set<Socket>();
  private readonly sessionCache = new SessionCache();
  private ticketKeys = newTicketKeys();
  private readonly rotation: TicketKeyRotation;
  private watcher: CertificateWatcher | null = null;
  private keepAlive: number;
  private closing = false;
  /** Serves the ACME certificates (tls.acme). */
  private acme: boolean;
  /** Staples OCSP answers (tls.ocspStapling). */
  private stapling = false;
  private readonly unsubscribe: () => void;
  /** The native server's HTTP/1.1 connections; null: node:http reads them. */
  private http1: RawConnections | null = null;

  private constructor(
    readonly name: string,
    readonly server: SecureServer,
    private store: CertificateStore,
    tls: ResolvedTls,
    timeouts: ResolvedTimeouts,
    private readonly log: Logger,
    private readonly services: TlsServices,
  ) {
    this.kind = tls.http2 ? 'h2' : 'https';
    this.acme = tls.acme;
    this.unsubscribe = services.acme.subscribe(() => this.acmeChanged());
    services.join(this);
    this.settings = { redirectToHttps: null, hsts: tls.hsts };
    this.keepAlive = timeouts.clientKeepAlive;
    this.idle = new ClientIdleSweeper({ keepAlive: timeouts.clientKeepAlive, body: timeouts.clientBody, send: timeouts.clientSend });
    this.rotation = new TicketKeyRotation((keys) => this.rotateTicketKeys(keys));
    this.watch();
  }

  static async open(config: ResolvedListener, tls: ResolvedTls, timeouts: ResolvedTimeouts, source: RuntimeSource, log: Logger, services: TlsServices): Promise<SecureListener> {
    const ticketKeys = newTicketKeys();
    const store = new CertificateStore(tls.certificates, ticketKeys, tls.acme ? services.acme.all() : []);
    let listener: SecureListener | null = null;
    const options = {
      ...store.defaultOptions,
      // Node calls this only when the client sent SNI; without, the default context answers.
      SNICallback: (servername: string, cb: (err: Error | null, ctx?: import('node:tls').SecureContext) => void) => cb(null, listener!.store.select(servername)),
    };
    const native = http1ServerKind() === 'native';
    const server: SecureServer = tls.http2
      ? http2.createSecureServer({
          ...options,
          allowHTTP1: true,
          // node:http2 leaves Nagle on (https and http servers turn it off): a small write behind
          // unacknowledged data waits for the ACK, up to the peer's delayed-ACK time. NGINX tcp_nodelay.
          noDelay: true,
          maxSessionMemory: 32, // MiB of outgoing buffers per session before new streams are refused
          settings: {
            maxConcurrentStreams: tls.maxConcurrentStreams,
            maxHeaderListSize: tls.maxHeaderListSize,
            enableConnectProtocol: true, // RFC 8441 WebSocket over HTTP/2
          },
          // Room above our own 431 limit, so that limit answers rather than a bare reset.
          maxHeaderListPairs: DEFAULT_MAX_REQUEST_HEADERS + 16,
        })
      : native
        ? createTlsServer({ ...options, ALPNProtocols: ['http/1.1'], allowHalfOpen: true, noDelay: true })
        : https.createServer({ ...options, ALPNProtocols: ['http/1.1'], keepAliveTimeout: 0, requestTimeout: 0, noDelay: true });
    listener = new SecureListener(config.name, server, store, tls, timeouts, log, services);
    listener.ticketKeys = ticketKeys;
    // The config read the files before the start's awaits; the watcher's baseline is now: a rotation
    // in between would never be reported. Nothing happens when they are unchanged.
    listener.reloadFiles();
    listener.attach(source, timeouts, native);
    listener.setStapling(tls.ocspStapling);
    try {
      await listen(server, config.port, config.host);
    } catch (err) {
      listener.release();
      throw err;
    }
    return listener;
  }

  prepare(config: ResolvedListener, timeouts: ResolvedTimeouts): () => void {
    const tls = config.tls!;
    const store = new CertificateStore(tls.certificates, this.ticketKeys, tls.acme ? this.services.acme.all() : []); // throws: the reload is refused
    return () => {
      this.acme = tls.acme;
      this.setStapling(tls.ocspStapling);
      this.settings.hsts = tls.hsts;
      this.keepAlive = timeouts.clientKeepAlive;
      this.applyTimeouts(timeouts);
      if (this.kind === 'h2') {
        (this.server as Http2SecureServer).updateSettings({ maxConcurrentStreams: tls.maxConcurrentStreams, maxHeaderListSize: tls.maxHeaderListSize });
      }
      this.useStore(store);
      this.watch();
      // The config read the files before the reload's awaits: a rotation meanwhile was reported to
      // the watcher being replaced (or taken as the new one's starting point) and would be lost.
      this.reloadFiles();
    };
  }

  async close(graceMs: number): Promise<void> {
    this.closing = true;
    this.release();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const session of this.sessions) session.close(); // GOAWAY: streams in flight finish
    (this.server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
    this.http1?.closeIdle();
    const timer = setTimeout(() => {
      // Tunnels first: a WebSocket gets its Close 1001 on its stream or socket before the
      // connections under them are cut.
      this.upgraded.closeAll();
      // Connections still in their TLS handshake belong to no session nor HTTP server yet.
      for (const socket of this.handshaking) socket.destroy();
      void this.upgraded.whenEmpty().then(() => {
        for (const session of this.sessions) session.destroy();
        for (const socket of this.sockets) socket.destroy();
      });
    }, graceMs);
    timer.unref();
    await Promise.all([closed, this.upgraded.whenEmpty()]);
    clearTimeout(timer);
  }

  /** The chains this listener staples now (TlsServices keeps these watched). */
  stapledChains(): string[] {
    return this.stapling ? this.store.chains() : [];
  }

  /** Stops the timers and leaves the shared services (close, or a listen that failed). */
  private release(): void {
    this.rotation.stop();
    this.watcher?.close();
    this.unsubscribe();
    this.services.leave(this);
  }

  /** NGINX ssl_stapling: node asks the 'OCSPRequest' listener only for clients that ask for a status. */
  private setStapling(on: boolean): void {
    if (on === this.stapling) return;
    this.stapling = on;
    if (on) this.server.on('OCSPRequest', this.services.stapler.handle);
    else this.server.off('OCSPRequest', this.services.stapler.handle);
    this.stapleStore();
  }

  private stapleStore(): void {
    if (this.stapling) for (const chain of this.store.chains()) this.services.staple(chain);
    this.services.certificatesChanged();
  }

  /** An ACME certificate was installed or removed: new handshakes get it. */
  private acmeChanged(): void {
    if (!this.acme || this.closing) return;
    try {
      this.useStore(new CertificateStore(this.store.certificates, this.ticketKeys, this.services.acme.all()));
    } catch (err) {
      this.log.warn({ listener: this.name, error: (err as Error).message }, 'ACME certificate cannot be used; the current certificates stay');
    }
  }

  private attach(source: RuntimeSource, timeouts: ResolvedTimeouts, native: boolean): void {
    const server = this.server;
    const handlers = createHandlers(source, 'https', this.upgraded, this.settings);
    if (native) {
      const connections = new RawConnections({ request: handlers.request, upgrade: upgradeFrom(this.idle, this.upgraded, handlers) }, headerCheckInterval(timeouts.clientHeader));
      if (!isHttp2(server)) {
        this.http1 = connections;
        server.on('secureConnection', (socket: TLSSocket) => connections.add(socket));
      } else if (takeHttp1Connections(server, connections)) this.http1 = connections;
      else this.log.warn({ listener: this.name }, "node:http2's connection handling is not as expected: its HTTP/1.1 clients are read by node:http");
    }
    if (this.kind === 'h2' && isHttp2(server)) {
      // A 'request' listener would make node build compatibility objects for every h2 stream and
      // answer them too (its 'newListener' hook): drop that hook first. Should a Node version wire
      // it otherwise, h2 requests still reach only the stream handler (the check below).
      server.removeAllListeners('newListener');
      server.on('stream', createStreamHandler(source, this.upgraded, this.settings));
      server.on('session', (session: ServerHttp2Session) => this.sessionOpened(session));
      server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        if (req.httpVersionMajor !== 2) handlers.request(req, res);
      });
      // allowHTTP1's own HTTP/1.1 limits (5 min per request, a 30 s check interval) give way to ours.
      Object.assign(server, { requestTimeout: 0, connectionsCheckingInterval: headerCheckInterval(timeouts.clientHeader) });
    } else {
      server.on('request', handlers.request);
    }
    (server as https.Server).maxHeadersCount = DEFAULT_MAX_REQUEST_HEADERS + 1;
    server.on('upgrade', upgradeFrom(this.idle, this.upgraded, handlers));
    server.on('connection', (socket: Socket) => {
      this.handshaking.add(socket);
      socket.once('close', () => this.handshaking.delete(socket));
    });
    server.on('secureConnection', (socket: TLSSocket) => this.connectionOpened(socket));
    server.on('tlsClientError', ignore); // a failed handshake (refused protocol or suite): the socket is closed by node
    server.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
      this.sessionCache.store(id, data);
      done();
    });
    server.on('resumeSession', (id: Buffer, done: (err: Error | null, data: Buffer | null) => void) => done(null, this.sessionCache.find(id)));
    this.applyTimeouts(timeouts);
  }

  private connectionOpened(socket: TLSSocket): void {
    const tcp = tcpSocketUnder(socket);
    if (tcp !== null) this.handshaking.delete(tcp); // else: removed at its close
    if (this.closing) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    if (socket.alpnProtocol !== 'h2') this.idle.watch(socket); // h2 sessions have their own idle timer
  }

  private sessionOpened(session: ServerHttp2Session): void {
    (session as GuardedSession)[kGuard] = new SessionGuard(session);
    session.on('error', ignore); // a broken session ends itself; its streams see their own close
    this.sessions.add(session);
    session.once('close', () => this.sessions.delete(session));
    // NGINX keepalive_timeout for h2: no frame either way for this long closes the session (GOAWAY, then
    // the streams in flight finish).
    if (this.keepAlive > 0) session.setTimeout(this.keepAlive, () => session.close());
  }

  private applyTimeouts(timeouts: ResolvedTimeouts): void {
    (this.server as https.Server).headersTimeout = timeouts.clientHeader;
    if (this.http1 !== null) this.http1.headersTimeout = timeouts.clientHeader;
    this.idle.setLimits({ keepAlive: timeouts.clientKeepAlive, body: timeouts.clientBody, send: timeouts.clientSend });
  }

  /** New contexts for new handshakes; open connections keep theirs. */
  private useStore(store: CertificateStore): void {
    this.store = store;
    this.server.setSecureContext(store.defaultOptions);
    this.stapleStore();
  }

  private rotateTicketKeys(keys: Buffer): void {
    try {
      const store = new CertificateStore(this.store.certificates, keys, this.store.acme);
      this.ticketKeys = keys;
      this.useStore(store);
    } catch (err) {
      this.log.warn({ listener: this.name, error: (err as Error).message }, 'ticket key rotation failed; the current keys stay');
    }
  }

  /** Watches the files of the current certificates; a change reads them again. */
  private watch(): void {
    // The new watcher's baseline is the files as they are now; a reload reads them again after
    // this (prepare's apply), so a change since the config read them is not lost either.
    this.watcher?.close();
    this.watcher = new CertificateWatcher(this.store.files(), () => this.reloadFiles());
  }

  private reloadFiles(): void {
    let certificates: LoadedCertificate[];
    let store: CertificateStore;
    try {
      certificates = this.store.certificates.map((c) => loadCertificate(c.certFile, c.keyFile));
      if (sameFiles(certificates, this.store.certificates)) return; // touched, or already read by a reload
      store = new CertificateStore(certificates, this.ticketKeys, this.store.acme);
    } catch (err) {
      // Half-written files, a key that no longer matches: the running certificates stay.
      this.log.warn({ listener: this.name, error: (err as Error).message }, 'certificate files changed but cannot be used; the current certificates stay');
      return;
    }
    this.useStore(store);
    this.log.info({ listener: this.name, names: certificates.flatMap((c) => c.names) }, 'certificates reloaded');
  }
}

function ignore(): void {}

function sameFiles(a: readonly LoadedCertificate[], b: readonly LoadedCertificate[]): boolean {
  return a.length === b.length && a.every((c, i) => c.cert.equals(b[i].cert) && c.key.equals(b[i].key));
}

function isHttp2(server: SecureServer): server is Http2SecureServer {
  return 'updateSettings' in server;
}
