// The admin listener: its own node:http server, apart from the traffic listeners, serving the
// status JSON, runtime changes, Prometheus metrics and the dashboard page. Every request passes the
// Host check, then the token (where required), then its route, method and content type; nothing a
// caller sends can throw out of here.
import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ResolvedAdmin, ResolvedTimeouts } from '../config/resolved';
import { listen } from '../net/listen';
import { bearerMatches, tokenDigest, tokenRequired } from './admin-auth';
import { AdminHttpError, hostAllowed, isJson, send, sendError } from './admin-http';
import { adminRoutes, isProtectedPath, type AdminRequest, type RouteMatch } from './admin-routes';
import type { AdminControl } from './admin-view';
import { dashboardPage } from './dashboard-page';
import { createMetrics, type MetricsEndpoint } from './metrics';
import { pageCsp } from './page-security';

/** Admin requests are small: a client that takes longer than this to send one is cut. */
const MAX_HEADER_MS = 10_000;
const MAX_REQUEST_MS = 30_000;
const KEEP_ALIVE_MS = 5_000;

export class AdminListener {
  /** SHA-256 of the token when one is required, else null (open on loopback). */
  private digest: Buffer | null = null;
  private readonly route: (path: string) => RouteMatch | null;
  private readonly metrics: MetricsEndpoint;
  private readonly page: { html: string; csp: string };

  private constructor(
    readonly server: Server,
    private settings: ResolvedAdmin,
    private readonly control: AdminControl,
  ) {
    const html = dashboardPage();
    this.page = { html, csp: pageCsp(html) };
    this.metrics = createMetrics(control);
    this.route = adminRoutes({ page: (r) => this.sendPage(r), metrics: (r) => this.sendMetrics(r) });
    this.digest = digestFor(settings);
  }

  /** Binds `admin.host:admin.port`; the caller has checked the config (adminConfigProblem). */
  static async open(admin: ResolvedAdmin, timeouts: ResolvedTimeouts, control: AdminControl): Promise<AdminListener> {
    const headerMs = Math.min(timeouts.clientHeader, MAX_HEADER_MS);
    const server = http.createServer({
      headersTimeout: headerMs,
      requestTimeout: Math.max(headerMs, Math.min(timeouts.clientHeader + timeouts.clientBody, MAX_REQUEST_MS)),
      // node checks the two timeouts above only this often (30 s by default).
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(headerMs / 4))),
    });
    server.keepAliveTimeout = KEEP_ALIVE_MS;
    const listener = new AdminListener(server, admin, control);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => listener.handle(req, res));
    server.on('clientError', (_err: Error, socket: Socket) => socket.destroy());
    await listen(server, admin.port, admin.host);
    return listener;
  }

  address(): { host: string; port: number } {
    const a = this.server.address() as AddressInfo;
    return { host: a.address, port: a.port };
  }

  /** Whether a (reloaded) admin config can stay on this socket: same host, and same port (or port 0). */
  serves(admin: ResolvedAdmin): boolean {
    return admin.host === this.settings.host && (admin.port === 0 || admin.port === this.address().port);
  }

  /** Token settings of a reloaded config (the caller has checked it). */
  update(admin: ResolvedAdmin): void {
    this.settings = admin;
    this.digest = digestFor(admin);
  }

  /** Stops accepting; requests in flight get `graceMs` to finish. */
  async close(graceMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const timer = setTimeout(() => this.server.closeAllConnections(), graceMs);
    timer.unref();
    await closed;
    clearTimeout(timer);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.serve(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy(); // cut: a half answer must not pass for a whole one
      if (err instanceof AdminHttpError) return sendError(res, err);
      this.control.log.error({ err, method: req.method, url: req.url }, 'admin request failed');
      sendError(res, new AdminHttpError(500, 'internal error'));
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req.headers.host, this.settings.host)) throw new AdminHttpError(421, 'this admin listener does not serve that host');
    const url = req.url ?? '';
    if (!url.startsWith('/')) throw new AdminHttpError(400, 'expected a path starting with /');
    const path = url.split('?', 1)[0];
    if (this.digest !== null && isProtectedPath(path) && !bearerMatches(req.headers.authorization, this.digest)) {
      throw new AdminHttpError(401, 'unauthorized', [], [['www-authenticate', 'Bearer']]);
    }
    const match = this.route(path);
    if (match === null) throw new AdminHttpError(404, 'not found');
    const method = req.method ?? '';
    const handler = match.methods[method];
    if (handler === undefined) throw new AdminHttpError(405, `method ${method} not allowed`, [], [['allow', Object.keys(match.methods).join(', ')]]);
    if ((method === 'POST' || method === 'PATCH') && !isJson(req.headers['content-type'])) {
      throw new AdminHttpError(415, 'expected Content-Type: application/json');
    }
    const request: AdminRequest = { req, res, params: match.params, control: this.control, by: req.socket.remoteAddress ?? 'unknown' };
    await handler(request);
  }

  private sendPage({ res }: AdminRequest): void {
    send(res, 200, 'text/html; charset=utf-8', this.page.html, [['content-security-policy', this.page.csp]]);
  }

  private async sendMetrics({ res }: AdminRequest): Promise<void> {
    const text = await this.metrics.render();
    send(res, 200, this.metrics.contentType, text);
  }
}

/** Fails closed: a required token that is missing (refused before this) matches nothing. */
function digestFor(admin: ResolvedAdmin): Buffer | null {
  if (!tokenRequired(admin)) return null;
  return tokenDigest(admin.token ?? randomBytes(32).toString('base64'));
}
