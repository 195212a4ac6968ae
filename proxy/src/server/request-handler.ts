// The request entry point: route, then forward or redirect. Reads the current Runtime each time, so
// a reload applies to the next request while requests in flight finish with the config they began with.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { sendError } from '../forward/error-page';
import { Exchange, type ExchangeObserver } from '../forward/exchange';
import { buildRequestHeaders } from '../forward/request-headers';
import { rejectUpgrade, tunnelUpgrade } from '../forward/upgrade';
import { RequestContext } from '../request-context';
import { hostName } from '../router';
import type { Runtime } from '../runtime';

export interface RuntimeSource {
  readonly runtime: Runtime;
}

export function createRequestHandler(source: RuntimeSource, scheme: string, observer: ExchangeObserver) {
  return function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const runtime = source.runtime;
    const url = req.url ?? '/';
    if (url.charCodeAt(0) !== 47 /* / */) {
      sendError(req, res, 400, 'BAD_REQUEST');
      return;
    }
    const rawHost = findHost(req.rawHeaders);
    const host = hostName(rawHost);
    const q = url.indexOf('?');
    const route = runtime.router.match(host, q === -1 ? url : url.slice(0, q));
    if (route === null) {
      sendError(req, res, 404, 'NO_ROUTE');
      return;
    }
    const ctx = new RequestContext(req, scheme, rawHost, req.socket.remoteAddress ?? '');
    if (route.redirect) {
      res.writeHead(route.redirect.status, { location: route.redirect.location(ctx), 'content-length': 0 });
      res.end();
      return;
    }
    const forward = route.forward!;
    const built = buildRequestHeaders(req.rawHeaders, ctx, {
      trusted: runtime.trusted,
      forwardedHeader: runtime.config.forwardedHeader,
    });
    ctx.remoteAddr = built.realIp;
    const headers = route.requestRules.apply(built.headers, ctx);
    new Exchange(req, res, ctx, forward, headers, built.hasBody, runtime.config.timeouts, observer).start();
  };
}

/** The 'upgrade' listener: WebSocket and other HTTP/1.1 upgrades, routed like requests. */
export function createUpgradeHandler(source: RuntimeSource, scheme: string, observer: ExchangeObserver) {
  return function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const runtime = source.runtime;
    const url = req.url ?? '/';
    const rawHost = findHost(req.rawHeaders);
    const q = url.indexOf('?');
    const route = url.charCodeAt(0) === 47 ? runtime.router.match(hostName(rawHost), q === -1 ? url : url.slice(0, q)) : null;
    if (route === null || route.forward === null) {
      rejectUpgrade(socket, route === null ? 404 : 400);
      return;
    }
    const ctx = new RequestContext(req, scheme, rawHost, req.socket.remoteAddress ?? '');
    const built = buildRequestHeaders(req.rawHeaders, ctx, { trusted: runtime.trusted, forwardedHeader: runtime.config.forwardedHeader });
    ctx.remoteAddr = built.realIp;
    tunnelUpgrade(req, socket, head, ctx, route.forward, route.requestRules.apply(built.headers, ctx), {
      connectTimeout: runtime.config.timeouts.connect,
      onServerUnavailable: (server, err) => observer.serverFailed(server, err),
    });
  };
}

function findHost(raw: string[]): string {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === 4 && name.toLowerCase() === 'host') return raw[i + 1];
  }
  return '';
}
