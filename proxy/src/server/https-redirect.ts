// redirectToHttps on a plain listener: 301 to https://host[:port]/uri, keeping the request target,
// except ACME HTTP-01 challenges (RFC 8555 §8.3), which must be answered over plain HTTP.
import { hostName } from '../router';

const ACME_CHALLENGE = '/.well-known/acme-challenge/';
/** A host that can go into a URL as it is: a DNS name, IPv4, or a bracketed IPv6 literal. */
const URL_HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])$/;

/** The Location for `url` on `rawHost`, '' when the Host cannot make one (400), null for ACME paths (not redirected). */
export function httpsLocation(rawHost: string, url: string, port: number): string | null {
  if (url.startsWith(ACME_CHALLENGE)) return null;
  const host = hostName(rawHost);
  if (!URL_HOST.test(host) || url.charCodeAt(0) !== 47 /* / */) return '';
  return port === 443 ? `https://${host}${url}` : `https://${host}:${port}${url}`;
}
