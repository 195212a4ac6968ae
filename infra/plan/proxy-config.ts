// The ProxyConfig a stack runs: one upstream holding every app instance, the app's routes
// (app-routes.ts: assets served or cached, everything compressed). Built with the proxy's own types, so a schema change breaks the build, not a deploy.
import type { AcmeConfig, HealthCheckConfig, ListenerConfig, ProxyConfig, StickyConfig, UpstreamConfig } from '../../proxy/src/config/schema';
import { DEFAULT_HEALTH_CHECK } from '../../proxy/src/config/defaults';
import { cachedAppRoutes, cachedAppZones, localAppRoutes } from './app-routes';
import type { ResolvedStackArgs } from './resolve-args';
import { PROXY_ACME_STORAGE } from './stack-args';
import type { AdminPlan, AppInstancePlan } from './stack-plan';

const DEFAULT_CHECK_TIMEOUT_MS = DEFAULT_HEALTH_CHECK.timeout;

/** The upstream every route of a generated config proxies to. */
export const APP_UPSTREAM = 'app';

/** `listeners`: HTTP first (its host is the admin listener's too), then HTTPS if any. */
export function buildProxyConfig(args: ResolvedStackArgs, apps: AppInstancePlan[], listeners: ListenerConfig[], admin: AdminPlan): ProxyConfig {
  const [listener] = listeners;
  const upstream: UpstreamConfig = {
    // The id, not the address, names a server: sticky cookies then survive a move to another host.
    servers: apps.map((app) => ({ address: app.address, id: app.id })),
    ...(args.balance !== undefined && { balance: args.balance }),
    ...(args.sticky && { sticky: stickyCookie(args.sticky.cookieName) }),
    // A passive failure (a refused connection while an instance restarts) benches a server for
    // failTimeout (10s), but the next passing check puts it back: the active check is the judge.
    ...(args.healthCheck && { healthCheck: readinessCheck(args.healthCheck) }),
  };
  return {
    listeners,
    upstreams: { [APP_UPSTREAM]: upstream },
    ...(args.appPublicDir === null && { caches: cachedAppZones() }),
    routes: args.appPublicDir === null ? cachedAppRoutes(APP_UPSTREAM) : localAppRoutes(APP_UPSTREAM, args.appPublicDir),
    // The token, when one is needed, comes from the environment (AdminPlan.tokenEnv), never this file.
    admin: { listen: `${listener.host}:${admin.listenPort}`, ...(admin.tokenEnv !== undefined && { requireToken: true }) },
    ...(args.acme && { acme: acmeConfig(args.hostnames, args.acme) }),
    log: { level: 'info' },
  };
}

/** Certificates by HTTP-01 on the plain listener, kept in the volume PROXY_ACME_STORAGE. */
function acmeConfig(hostnames: string[], acme: { email?: string; directory?: string }): AcmeConfig {
  return { hostnames: [...hostnames], ...acme, storage: PROXY_ACME_STORAGE };
}

/**
 * A session cookie naming the instance: Socket.IO's long-polling requests and the app's in-memory
 * session then reach the instance that holds them. The HMAC key comes from PORTICO_STICKY_KEY.
 */
function stickyCookie(name: string): StickyConfig {
  return { cookie: { name, path: '/', httpOnly: true, sameSite: 'lax' } };
}

/**
 * The app's readiness probe, mandatory: a new or restarted instance gets traffic only after a
 * pass, and one shutting down (503) gets no new clients. No slow start: a Node app is warm once ready.
 */
function readinessCheck(check: { path: string; interval: string; intervalMs: number }): HealthCheckConfig {
  // The proxy's check timeout is 2s; a check must not outlive its interval.
  const timeout = check.intervalMs < DEFAULT_CHECK_TIMEOUT_MS ? { timeout: check.intervalMs } : {};
  return { uri: check.path, interval: check.interval, ...timeout, mandatory: true };
}
