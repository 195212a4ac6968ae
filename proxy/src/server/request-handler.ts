// The request entry point: route, then forward or redirect. Reads the current Runtime each time, so
// a reload applies to the next request while requests in flight finish with the config they began with.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { sendError, sendRedirect } from '../forward/error-page';
import { Exchange, type ExchangeObserver } from '../forward/exchange';
import { buildRequestHeaders } from '../forward/request-headers';
import { rejectUpgrade, tunnelUpgrade } from '../forward/upgrade';
import { RequestContext } from '../request-context';
import { hostName } from '../router';
import type { Runtime, RuntimeRoute } from '../runtime';
import { checkRequest, refuseRequest, rejectsHeaderValues } from './request-checks';

export interface RuntimeSource {
  readonly runtime: Runtime;
}

export function createRequestHandler(source: RuntimeSource, scheme: string, observer: ExchangeObserver) {
  return function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const runtime = source.runtime;
    const refused = checkRequest(req);
    if (refused !== null) {
      refuseRequest(req, res, refused);
      return;
    }
    if (!isOriginForm(req)) {
      sendError(req, res, 400, 'BAD_REQUEST');
      return;
    }
    const rawHost = findHost(req.rawHeaders);
    const route = matchRoute(runtime, req, rawHost);
    if (route === null) {
      sendError(req, res, 404, 'NO_ROUTE');
      return;
    }
    const ctx = new RequestContext(req, scheme, rawHost, req.socket.remoteAddress ?? '');
    if (route.redirect) {
      sendRedirect(req, res, route.redirect.status, route.redirect.location(ctx));
      return;
    }
    if (rejectsHeaderValues(route, ctx)) {
      sendError(req, res, 400, 'BAD_REQUEST');
      return;
    }
    const { headers, hasBody } = upstreamHeaders(runtime, route, ctx);
    new Exchange(req, res, ctx, route.forward!, headers, hasBody, runtime.config.timeouts, observer).start();
  };
}

/** The 'upgrade' listener: WebSocket and other HTTP/1.1 upgrades, routed like requests. */
export function createUpgradeHandler(source: RuntimeSource, scheme: string, observer: ExchangeObserver) {
  return function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const runtime = source.runtime;
    const refused = checkRequest(req);
    if (refused !== null) {
      rejectUpgrade(socket, refused.status);
      return;
    }
    const rawHost = findHost(req.rawHeaders);
    const route = isOriginForm(req) ? matchRoute(runtime, req, rawHost) : null;
    if (route === null || route.forward === null) {
      rejectUpgrade(socket, route === null ? 404 : 400);
      return;
    }
    const ctx = new RequestContext(req, scheme, rawHost, req.socket.remoteAddress ?? '');
    if (rejectsHeaderValues(route, ctx)) {
      rejectUpgrade(socket, 400);
      return;
    }
    tunnelUpgrade(req, socket, head, ctx, route.forward, upstreamHeaders(runtime, route, ctx).headers, {
      connectTimeout: runtime.config.timeouts.connect,
      onServerUnavailable: (server, err) => observer.serverFailed(server, err),
    });
  };
}

/** Only "/path" targets are routed: absolute-form and "*" are not for a reverse proxy. */
function isOriginForm(req: IncomingMessage): boolean {
  return (req.url ?? '/').charCodeAt(0) === 47; // '/'
}

function matchRoute(runtime: Runtime, req: IncomingMessage, rawHost: string): RuntimeRoute | null {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return runtime.router.match(hostName(rawHost), q === -1 ? url : url.slice(0, q));
}

/** The headers sent upstream: forwarding headers, then the route's rules; learns the real client IP. */
function upstreamHeaders(runtime: Runtime, route: RuntimeRoute, ctx: RequestContext): { headers: string[]; hasBody: boolean } {
  const built = buildRequestHeaders(ctx.req.rawHeaders, ctx, { trusted: runtime.trusted, forwardedHeader: runtime.config.forwardedHeader });
  ctx.remoteAddr = built.realIp;
  return { headers: route.requestRules.apply(built.headers, ctx), hasBody: built.hasBody };
}

function findHost(raw: string[]): string {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === 4 && name.toLowerCase() === 'host') return raw[i + 1];
  }
  return '';
}
