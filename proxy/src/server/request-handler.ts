// The request entry point: route, then forward or redirect. Reads the current Runtime each time, so
// a reload applies to the next request while requests in flight finish with the config they began with.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError } from '../forward/error-page';
import { Exchange, type ExchangeObserver } from '../forward/exchange';
import { buildRequestHeaders } from '../forward/request-headers';
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

function findHost(raw: string[]): string {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === 4 && name.toLowerCase() === 'host') return raw[i + 1];
  }
  return '';
}
