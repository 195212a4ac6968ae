// A WebSocket over HTTP/2 (RFC 8441): an extended CONNECT with :protocol websocket, forwarded to
// the upstream as an HTTP/1.1 GET Upgrade (with a Sec-WebSocket-Key of the proxy's own, RFC 6455
// §4.1). The upstream's 101 becomes the stream's 200 and the stream a tunnel, registered like an
// HTTP/1.1 one (drain, reload, shutdown; Close 1001 when told to go away). Any other answer is the
// stream's answer, status included.
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import { Tunnel, type UpgradedSockets } from '../server/tunnels';
import { H2Downstream } from './h2-downstream';
import type { H2RequestHead } from './h2-request';

/** Handshake fields of HTTP/1.1 WebSocket that mean nothing on an HTTP/2 stream (RFC 8441 §5). */
const HANDSHAKE_ONLY = new Set(['sec-websocket-accept']);

export class H2WebSocketDownstream extends H2Downstream {
  constructor(
    stream: ServerHttp2Stream,
    head: H2RequestHead,
    headers: IncomingHttpHeaders,
    peer: string,
    private readonly upgraded: UpgradedSockets,
    /** A tunnel with no byte either way for this long is closed; 0: never. */
    private readonly tunnelIdle: number,
    /** For an answer other than 101 (the upgrade refused). */
    sendTimeout: number,
  ) {
    // The upstream sees the HTTP/1.1 handshake: GET, and a key (the client sent none over h2).
    super(stream, { ...head, method: 'GET', raw: withKey(head.raw) }, headers, peer, true, null, sendTimeout);
  }

  upgrade(_status: number, headers: string[], upstream: Socket, head: Buffer): Tunnel | null {
    const stream = this.stream;
    if (stream.destroyed) return null;
    const kept: string[] = [];
    for (let i = 0; i < headers.length; i += 2) if (!HANDSHAKE_ONLY.has(headers[i].toLowerCase())) kept.push(headers[i], headers[i + 1]);
    stream.respond(this.responseHeaders(200, kept));
    this.headersSent = true;
    const tunnel = new Tunnel(stream, upstream, this.tunnelIdle, true);
    this.upgraded.add(tunnel);
    tunnel.start(head, []);
    return tunnel;
  }
}

/** The client's fields with any Sec-WebSocket-Key replaced by a fresh one. */
function withKey(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (raw[i] !== 'sec-websocket-key') out.push(raw[i], raw[i + 1]);
  out.push('sec-websocket-key', randomBytes(16).toString('base64'));
  return out;
}
