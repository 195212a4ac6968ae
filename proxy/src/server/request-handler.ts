// The request entry points of one listener: route, then forward or redirect. Reads the current
// Runtime each time, so a reload applies to the next request while requests in flight finish with
// the config they began with. HTTP/1.1 requests and upgrades become a Downstream here; nothing
// below this file sees node:http.
import type { H1Request, H1Response } from './h1/h1-exchange';
import type { Duplex } from 'node:stream';
import type { Downstream } from '../downstream/downstream';
import { H1Downstream } from '../downstream/h1-downstream';
import { HstsH1Downstream } from '../downstream/hsts-h1-downstream';
import { UpgradeDownstream } from '../downstream/upgrade-downstream';
import { cachedRequest } from '../cache/cache-flow';
import { CacheLink, type CacheRequest } from '../cache/cache-link';
import { ClientWriter } from '../forward/client-writer';
import { Dispatch, type ForwardTarget } from '../forward/dispatch';
import { sendError, sendRedirect } from '../forward/error-page';
import { buildRequestHeaders, clientAddress } from '../forward/request-headers';
import { rulesLink, withCompression } from '../forward/response-chain';
import { stickyLink } from '../forward/sticky-handler';
import { hostName } from '../router';
import type { Runtime, RuntimeRoute } from '../runtime';
import { checkRequest, refuseRequest, rejectsHeaderValues } from './request-checks';
import { httpsLocation } from './https-redirect';
import { answerChallenge } from './acme-challenge';
import { isChallengePath, type ChallengeTokens } from '../acme/challenge-tokens';
import type { UpgradedSockets } from './tunnels';

export interface RuntimeSource {
  readonly runtime: Runtime;
  /** The HTTP-01 answers plain listeners give while ACME orders are pending; null: ACME is off. */
  readonly acmeChallenges?: ChallengeTokens | null;
}

export interface ListenerHandlers {
  request: (req: H1Request, res: H1Response) => void;
  upgrade: (req: H1Request, socket: Duplex, head: Buffer) => void;
}

/** What a listener's config says about every request on it; changed in place on reload. */
export interface ListenerSettings {
  /** Plain listeners: the HTTPS port to redirect to (301); null: none. */
  redirectToHttps: number | null;
  /** TLS listeners: the Strict-Transport-Security value; null: none. */
  hsts: string | null;
}

export function createHandlers(source: RuntimeSource, scheme: string, upgraded: UpgradedSockets, settings: ListenerSettings): ListenerHandlers {
  // HTTP-01 is validated over plain HTTP only (RFC 8555 §8.3).
  const challenges = scheme === 'http';
  return {
    request(req: H1Request, res: H1Response): void {
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
      const tokens = challenges ? source.acmeChallenges : null;
      if (tokens && isChallengePath(req.url!)) {
        answerChallenge(tokens, req, res);
        return;
      }
      const rawHost = findHost(req.rawHeaders);
      const hsts = settings.hsts;
      const peer = req.socket.remoteAddress ?? '';
      const ds = hsts === null ? new H1Downstream(req, res, scheme, rawHost, peer) : new HstsH1Downstream(req, res, scheme, rawHost, peer, hsts);
      if (settings.redirectToHttps !== null && redirectedToHttps(ds, settings.redirectToHttps)) return;
      ds.remoteAddr = clientAddress(req.rawHeaders, ds.peer, runtime.trusted);
      const route = matchRoute(runtime, req, rawHost);
      if (route === null) {
        sendError(req, res, 404, 'NO_ROUTE');
        return;
      }
      handle(runtime, route, ds, null);
    },

    /** WebSocket (and other allowed) upgrades, routed like requests. */
    upgrade(req: H1Request, socket: Duplex, head: Buffer): void {
      const runtime = source.runtime;
      const rawHost = findHost(req.rawHeaders);
      const route = isOriginForm(req) ? matchRoute(runtime, req, rawHost) : null;
      const target = route === null ? null : route.action.kind === 'proxy' ? route.action.target : route.action.kind === 'static' ? route.action.fallback : null;
      const protocol = target === null ? null : allowedUpgrade(req.headers.upgrade, target.upgrades);
      const t = runtime.config.timeouts;
      const ds = new UpgradeDownstream(req, socket, head, scheme, rawHost, req.socket.remoteAddress ?? '', upgraded, protocol, {
        sendTimeout: t.clientSend > 0 ? t.clientSend : 60_000,
        tunnelIdle: t.tunnelIdle,
      });
      ds.remoteAddr = clientAddress(req.rawHeaders, ds.peer, runtime.trusted);
      const refused = checkRequest(req);
      if (refused !== null) ds.fail(refused.status, refused.code);
      else if (settings.redirectToHttps !== null && redirectedToHttps(ds, settings.redirectToHttps)) return;
      else if (route === null) ds.fail(isOriginForm(req) ? 404 : 400, isOriginForm(req) ? 'NO_ROUTE' : 'BAD_REQUEST');
      else if (hasBody(req)) ds.fail(400, 'UPGRADE_WITH_BODY'); // what follows the head would be a second request
      // An Upgrade the route does not allow (h2c from curl --http2, say) is ignored, as RFC 9110
      // §7.8 permits and NGINX does: the request is answered over HTTP/1.1.
      else handle(runtime, route, ds, protocol);
    },
  };
}

/** Answers with a 301 to https unless the path is an ACME challenge (then the request goes on). */
function redirectedToHttps(ds: Downstream, port: number): boolean {
  const location = httpsLocation(ds.host, ds.url, port);
  if (location === null) return false;
  if (location === '') ds.fail(400, 'BAD_HOST');
  else sendRedirect(ds, 301, location);
  return true;
}

/** A routed request on any Downstream (HTTP/1.1, an upgrade, HTTP/2): its route's action. */
export function handle(runtime: Runtime, route: RuntimeRoute, ds: Downstream, upgrade: string | null): void {
  const action = route.action;
  route.stats.requests++;
  if (action.kind === 'redirect') {
    route.stats.response(action.status);
    sendRedirect(ds, action.status, action.location(ds));
    return;
  }
  if (action.kind === 'static') {
    // An upgrade is never a file: it goes straight to the fallback (only offered when there is one).
    if ((upgrade !== null || action.files.serve(ds, route.stats)) && action.fallback !== null) proxyTo(runtime, route, action.fallback, ds, upgrade);
    return;
  }
  proxyTo(runtime, route, action.target, ds, upgrade);
}

/** Forwards to `target` (a proxy route's, or a static route's fallback), through its cache when it has one. */
export function proxyTo(runtime: Runtime, route: RuntimeRoute, target: ForwardTarget, ds: Downstream, upgrade: string | null): void {
  if (rejectsHeaderValues(route, ds)) {
    route.stats.response(400);
    ds.fail(400, 'BAD_REQUEST'); // a header rule would turn client input into a value that could split the head
    return;
  }
  if (target.cache !== null && upgrade === null) cachedRequest(target.cache, runtime, route, target, ds, forward);
  else forward(runtime, route, target, ds, upgrade, null);
}

/** Forwards upstream through the response chain; `cache`: the route's cache decided this request goes upstream. */
function forward(runtime: Runtime, route: RuntimeRoute, target: ForwardTarget, ds: Downstream, upgrade: string | null, cache: CacheRequest | null): void {
  const built = buildRequestHeaders(ds.rawHeaders, ds, { trusted: runtime.trusted, forwardedHeader: runtime.config.forwardedHeader });
  ds.remoteAddr = built.realIp;
  const headers = route.requestRules.apply(built.headers, ds);
  const timeouts = runtime.config.timeouts;
  const writer = new ClientWriter(ds, timeouts.clientSend);
  const rules = rulesLink(ds, writer, target.responseRules);
  // The cache link sees the answer as the client gets it before the route's header rules, so it
  // stores the compressed variant (compressed once, varied by Accept-Encoding).
  const link = cache === null ? null : new CacheLink(rules, cache, ds);
  const chain = withCompression(link ?? rules, route.compress, ds, writer);
  // The sticky link comes first: it sees the upstream's own head (sticky learn reads its Set-Cookie).
  const sticky = target.upstream.sticky === null ? null : stickyLink(target.upstream, chain, ds);
  const body = built.hasBody && upgrade === null ? ds.openBody() : null;
  const sent = cache === null ? headers : cache.upstreamHeaders(headers);
  const dispatch = new Dispatch(ds, target, sent, body, timeouts, sticky ?? chain, writer, upgrade, sticky);
  link?.attach(dispatch);
  dispatch.start();
}

/** The one Upgrade token the route allows among those the client offered (RFC 9110 §7.8), or null. */
function allowedUpgrade(offered: string | undefined, allowed: ReadonlySet<string>): string | null {
  if (!offered) return null;
  for (const token of offered.split(',')) {
    const protocol = token.trim().toLowerCase();
    if (allowed.has(protocol)) return protocol;
  }
  return null;
}

function hasBody(req: H1Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Only "/path" targets are routed: absolute-form and "*" are not for a reverse proxy. */
function isOriginForm(req: H1Request): boolean {
  return (req.url ?? '/').charCodeAt(0) === 47; // '/'
}

function matchRoute(runtime: Runtime, req: H1Request, rawHost: string): RuntimeRoute | null {
  return routeFor(runtime, rawHost, req.url ?? '/');
}

/** The route for a Host (or :authority) as received and a request target. */
export function routeFor(runtime: Runtime, rawHost: string, url: string): RuntimeRoute | null {
  const q = url.indexOf('?');
  return runtime.router.match(hostName(rawHost), q === -1 ? url : url.slice(0, q));
}

function findHost(raw: string[]): string {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === 4 && name.toLowerCase() === 'host') return raw[i + 1];
  }
  return '';
}
