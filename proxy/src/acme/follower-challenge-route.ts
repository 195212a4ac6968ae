// acme.mode 'follow' answers no HTTP-01 challenge itself: the load balancer may send the
// validation server's request to any proxy, so a follower's config must route
// /.well-known/acme-challenge/<token> to the proxy that orders. Without such a route the
// challenge reaches the app (or a 404) and the leader's order fails: said at start and on reload.
import type { ResolvedConfig } from '../config/resolved';
import type { Router } from '../router';
import type { RuntimeRoute } from '../runtime';
import { CHALLENGE_PREFIX } from './challenge-tokens';

/** A token as the validation server sends one (RFC 8555 §8.1: base64url). */
const PROBE = `${CHALLENGE_PREFIX}Portico_probe-0`;

export interface UnroutedChallenges {
  hostnames: string[];
  message: string;
}

/**
 * The warning for a follower whose routes do not send a challenge for every ACME name to an
 * upstream by a route of its own, or null. A route that also serves the site's root is the app's,
 * not one made for the challenges (what asAcmeFollower in infra/targets/aws/proxy-tls.ts renders).
 */
export function followerChallengeWarning(config: ResolvedConfig, router: Router<RuntimeRoute>): UnroutedChallenges | null {
  if (config.acme === null || config.acme.mode !== 'follow') return null;
  const unrouted = config.acme.hostnames.filter((name) => {
    const host = name.toLowerCase();
    const route = router.match(host, PROBE);
    return route === null || route.action.kind !== 'proxy' || router.match(host, '/') === route;
  });
  if (unrouted.length === 0) return null;
  const message =
    `acme: following: a challenge for ${unrouted.join(', ')} (GET ${CHALLENGE_PREFIX}<token> on a plain listener) reaches the app or a 404, not the ordering proxy, ` +
    `so its orders fail when the validation server reaches this proxy; add a first route with pathRegex "^/\\\\.well-known/acme-challenge/[A-Za-z0-9_-]+$" ` +
    `(and the same match for each host that has routes of its own) proxying to an upstream whose server is the ordering proxy's plain listener`;
  return { hostnames: unrouted, message };
}
