// redirectToHttps on a plain listener: 301 to https://host[:port]/uri, keeping the request target,
// except ACME HTTP-01 challenges (RFC 8555 §8.3), which must be answered over plain HTTP. Only a
// real challenge path (one token) is spared: "/.well-known/acme-challenge/../../account" would
// otherwise reach the app over plain HTTP, past the redirect.
import { isChallengeRequest } from '../acme/challenge-tokens';
import { hostName } from '../router';

/** A host that can go into a URL as it is: a DNS name, IPv4, or a bracketed IPv6 literal. */
const URL_HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])$/;

/** The Location for `url` on `rawHost`, '' when the Host cannot make one (400), null for ACME paths (not redirected). */
export function httpsLocation(rawHost: string, url: string, port: number): string | null {
  if (isChallengeRequest(url)) return null;
  const host = hostName(rawHost);
  if (!URL_HOST.test(host) || url.charCodeAt(0) !== 47 /* / */) return '';
  return port === 443 ? `https://${host}${url}` : `https://${host}:${port}${url}`;
}
