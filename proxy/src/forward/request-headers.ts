// The header list sent upstream: the client's headers less hop-by-hop ones, Host passed through,
// and the forwarding headers (X-Real-IP, X-Forwarded-*, optional RFC 7239 Forwarded). Incoming
// forwarding headers are kept and extended only when the peer is a trusted proxy.
import type { CidrSet } from '../net/cidr';
import { connectionTokens, dropNamed, HOP_BY_HOP } from './hop-by-hop';

export interface ForwardingOptions {
  trusted: CidrSet;
  forwardedHeader: boolean;
}

export interface ClientView {
  /** The TCP peer's address. */
  peer: string;
  scheme: string;
  host: string;
}

/** Walks raw headers once; returns [name, value, ...] strings for the upstream and the real client address. */
export function buildRequestHeaders(
  raw: readonly string[],
  client: ClientView,
  opts: ForwardingOptions,
): { headers: string[]; realIp: string; hasBody: boolean } {
  let out: string[] = [];
  let xff = '';
  let xfp = '';
  let xfh = '';
  let forwarded = '';
  let connection = '';
  let hasBody = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const lower = name.toLowerCase();
    const value = raw[i + 1];
    if (HOP_BY_HOP.has(lower)) {
      if (lower === 'transfer-encoding') hasBody = true;
      else if (lower === 'connection') connection = connection ? `${connection}, ${value}` : value;
      continue;
    }
    switch (lower) {
      case 'x-forwarded-for':
        xff = xff ? `${xff}, ${value}` : value;
        continue;
      case 'x-forwarded-proto':
        xfp = value;
        continue;
      case 'x-forwarded-host':
        xfh = value;
        continue;
      case 'forwarded':
        forwarded = forwarded ? `${forwarded}, ${value}` : value;
        continue;
      case 'x-real-ip':
        continue;
      case 'content-length':
        hasBody = value !== '0';
        break;
    }
    out.push(name, value);
  }

  if (connection) {
    // RFC 9110 §7.6.1: the names a Connection header lists are the client's own hop-by-hop
    // headers. They are dropped from what the client sent, never from what the proxy adds below
    // (else "Connection: x-real-ip" would blind an IP allow-list behind the proxy).
    const named = connectionTokens(connection);
    if (named.length) {
      out = dropNamed(out, named);
      if (named.includes('x-forwarded-for')) xff = '';
      if (named.includes('x-forwarded-proto')) xfp = '';
      if (named.includes('x-forwarded-host')) xfh = '';
      if (named.includes('forwarded')) forwarded = '';
    }
  }

  const peer = client.peer;
  const trusted = opts.trusted.size > 0 && opts.trusted.has(peer);
  const realIp = trusted && xff ? realClientIp(xff, peer, opts.trusted) : peer;
  out.push(
    'x-real-ip', realIp,
    'x-forwarded-for', trusted && xff ? `${xff}, ${peer}` : peer,
    'x-forwarded-proto', trusted && xfp ? xfp : client.scheme,
    'x-forwarded-host', trusted && xfh ? xfh : client.host,
  );
  if (opts.forwardedHeader) {
    const element = `for=${forwardedNode(peer)};host=${quoteIfNeeded(client.host)};proto=${client.scheme}`;
    out.push('forwarded', trusted && forwarded ? `${forwarded}, ${element}` : element);
  }
  return { headers: out, realIp, hasBody };
}

/**
 * The real client address, before routing (limits, hashing and $remote_addr need it on every
 * route): the peer, unless the peer is a trusted proxy and sent X-Forwarded-For. Costs nothing
 * when no proxy is trusted.
 */
export function clientAddress(raw: readonly string[], peer: string, trusted: CidrSet): string {
  if (trusted.size === 0 || !trusted.has(peer)) return peer;
  let xff = '';
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === 15 && name.toLowerCase() === 'x-forwarded-for') xff = xff ? `${xff}, ${raw[i + 1]}` : raw[i + 1];
  }
  return xff ? realClientIp(xff, peer, trusted) : peer;
}

/** NGINX real_ip_recursive: the rightmost address in X-Forwarded-For that is not a trusted proxy. */
function realClientIp(xff: string, peer: string, trusted: CidrSet): string {
  const hops = xff.split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i].trim();
    if (hop && !trusted.has(hop)) return hop;
  }
  return hops[0]?.trim() || peer;
}

/** RFC 7239 §6: IPv6 nodes are bracketed and quoted. */
function forwardedNode(address: string): string {
  return address.includes(':') ? `"[${address}]"` : address;
}

function quoteIfNeeded(value: string): string {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value) ? value : `"${value.replace(/["\\]/g, '\\$&')}"`;
}
