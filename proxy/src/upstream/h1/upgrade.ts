// A 101 Switching Protocols answer: checked against what the request asked for, then the socket
// goes to the handler as a plain stream (the connection has let go of it: see handOver's caller).
import type { Socket } from 'node:net';
import { upgradeMatches } from './response-head';
import { UpstreamError, type UpstreamHandler } from './upstream-handler';

/**
 * Why a 101 cannot be accepted, or null. RFC 9110 §15.2.2: a server switches only to a protocol
 * the request asked for.
 */
export function refusedSwitch(wanted: string | null, headers: string[]): UpstreamError | null {
  if (wanted !== null && upgradeMatches(headers, wanted)) return null;
  return new UpstreamError('UPSTREAM_PROTOCOL', `101 Switching Protocols to ${wanted === null ? 'a request without Upgrade' : `other than ${wanted}`}`);
}

/**
 * The socket, stripped of the connection's listeners, becomes the handler's, flowing state reset
 * as node:http does for its own 'upgrade' (the next 'data' listener starts it). `rest`: bytes read
 * past the head.
 */
export function handOver(socket: Socket, handler: UpstreamHandler, headers: string[], rest: Buffer): void {
  (socket as { readableFlowing: boolean | null }).readableFlowing = null;
  if (handler.onUpgrade === undefined) {
    socket.destroy();
    handler.onError(new UpstreamError('UPSTREAM_PROTOCOL', 'upgrade answered, but the handler takes no upgrades'));
    return;
  }
  handler.onUpgrade(101, headers, socket, rest);
}
