// The HTTP/2 entry point of a TLS listener: each stream becomes a Downstream and goes through the
// same routing, retries, sticky choice and response chain as an HTTP/1.1 request (handle()). An
// extended CONNECT with :protocol websocket (RFC 8441) becomes a tunnel to an HTTP/1.1 WebSocket
// upstream. Stream listeners are module-level functions: no closure per stream.
import type { IncomingHttpHeaders } from 'node:http';
import { constants, type ServerHttp2Stream } from 'node:http2';
import { H2Downstream, kH2Downstream, type H2Carrier } from '../downstream/h2-downstream';
import type { Downstream } from '../downstream/downstream';
import { translateRequestHead, type H2RequestHead } from '../downstream/h2-request';
import { H2WebSocketDownstream } from '../downstream/h2-websocket-downstream';
import { clientAddress } from '../forward/request-headers';
import { kGuard, type GuardedSession, type SessionGuard } from './h2-session-guard';
import { checkRequestHead } from './request-checks';
import { handle, routeFor, type ListenerSettings, type RuntimeSource } from './request-handler';
import type { Runtime, RuntimeRoute } from '../runtime';
import type { UpgradedSockets } from './tunnels';

const { NGHTTP2_NO_ERROR, NGHTTP2_FLAG_END_STREAM } = constants;

const kStreamGuard = Symbol('portico.h2StreamGuard');
type Stream = H2Carrier & { [kStreamGuard]?: SessionGuard };

export type StreamHandler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, rawHeaders: string[]) => void;

export function createStreamHandler(source: RuntimeSource, upgraded: UpgradedSockets, settings: ListenerSettings): StreamHandler {
  return (stream, headers, flags, rawHeaders) => {
    // A stream's error (a reset with an error code) is its own business: never the process's.
    stream.on('error', ignore);
    const guard = (stream.session as GuardedSession | undefined)?.[kGuard];
    // Reset before its turn came (rapid reset): no work for the upstream, but it counts.
    if (stream.destroyed || stream.closed) {
      if (stream.rstCode !== NGHTTP2_NO_ERROR) guard?.clientReset();
      return;
    }
    stream.on('close', onStreamClose); // a stream closes once: no once() wrapper per stream
    (stream as Stream)[kStreamGuard] = guard;
    const peer = guard !== undefined ? guard.peer : (stream.session?.socket?.remoteAddress ?? '');
    if (headers[':method'] === 'CONNECT') connect(source, upgraded, stream, headers, rawHeaders, peer);
    else request(source, settings, stream, headers, (flags & NGHTTP2_FLAG_END_STREAM) !== 0, rawHeaders, peer);
  };
}

function request(
  source: RuntimeSource,
  settings: ListenerSettings,
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  endStream: boolean,
  rawHeaders: string[],
  peer: string,
): void {
  const runtime = source.runtime;
  const head = translateRequestHead(headers, rawHeaders, !endStream);
  if ('status' in head) {
    answerBare(stream, head.status);
    return;
  }
  const ds = new H2Downstream(stream, head, headers, peer, endStream, settings.hsts, runtime.config.timeouts.clientSend);
  ds.timeBody(runtime.config.timeouts.clientBody);
  const route = admit(runtime, ds, head, peer);
  if (route !== null) handle(runtime, route, ds, null);
}

/** RFC 8441 extended CONNECT; a classic CONNECT (a forward proxy's tunnel) is not for a reverse proxy. */
function connect(source: RuntimeSource, upgraded: UpgradedSockets, stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: string[], peer: string): void {
  if (headers[':protocol'] !== 'websocket') {
    answerBare(stream, headers[':protocol'] === undefined ? 405 : 501);
    return;
  }
  const runtime = source.runtime;
  const head = translateRequestHead(headers, rawHeaders, false);
  if ('status' in head) {
    answerBare(stream, head.status);
    return;
  }
  upgraded.hold(stream); // shutdown waits for it (and cuts it after the grace), as for HTTP/1.1 upgrades
  const t = runtime.config.timeouts;
  const ds = new H2WebSocketDownstream(stream, head, headers, peer, upgraded, t.tunnelIdle, t.clientSend);
  const route = admit(runtime, ds, head, peer);
  if (route === null) return;
  if (route.action.kind !== 'proxy' || !route.action.target.upgrades.has('websocket')) ds.fail(400, 'UPGRADE_NOT_ALLOWED');
  else handle(runtime, route, ds, 'websocket');
}

/**
 * What every stream's head goes through before its route acts: the request checks (answered
 * here when refused), the real client address, the route (404 here when none); null when answered.
 */
function admit(runtime: Runtime, ds: Downstream, head: H2RequestHead, peer: string): RuntimeRoute | null {
  const refused = checkRequestHead(head.raw);
  if (refused !== null) {
    ds.fail(refused.status, refused.code);
    return null;
  }
  ds.remoteAddr = clientAddress(head.raw, peer, runtime.trusted);
  const route = routeFor(runtime, head.host, head.url);
  if (route === null) ds.fail(404, 'NO_ROUTE');
  return route;
}

/** An answer without a body, for a head too broken to make a Downstream of. */
function answerBare(stream: ServerHttp2Stream, status: number): void {
  try {
    stream.respond({ ':status': status }, { endStream: true });
  } catch {
    stream.close(constants.NGHTTP2_PROTOCOL_ERROR);
  }
}

function onStreamClose(this: Stream): void {
  const ds = this[kH2Downstream];
  // A reset by the client before the whole answer was handed over (the stream is destroyed by
  // then, so its own writable state says nothing).
  if (this.rstCode !== NGHTTP2_NO_ERROR && (ds === undefined || (!ds.resetByProxy && !ds.responseEnded))) {
    this[kStreamGuard]?.clientReset();
  }
  ds?.closed();
}

function ignore(): void {}
