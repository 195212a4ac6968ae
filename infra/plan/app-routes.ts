// The routes a stack gives the app: its static assets, its page, everything else. Every route
// compresses (the app does not: its 153 KB /socket.io/socket.io.js went out raw). Where the proxy
// can read the app's public/ folder (local), it serves the files itself and falls back to the app
// for any it lacks; where it cannot (a container, a VM), it caches the asset paths instead.
// /api/ and /socket.io/ are never cached: only the asset route has a cache, and it excludes them.
import type { ProxyConfig, RouteConfig } from '../../proxy/src/config/schema';

type CacheZones = NonNullable<ProxyConfig['caches']>;

/**
 * The app's static asset paths (app-sample/public: app.js, style.css, logo.svg, and the like),
 * never under /api/ or /socket.io/ (a regex route beats their prefix, so the regex excludes them).
 */
export const APP_ASSET_PATHS = '^/(?!api/|socket\\.io/)[^?]*\\.(?:js|css|svg|png|jpe?g|gif|webp|ico|woff2?)$';
/** The page: `/` and `/index.html` (it names the assets, so clients revalidate it, as the app says). */
export const APP_PAGE_PATHS = '^/(?:index\\.html)?$';

/** The cache zone of the app's assets, memory only (entries go with the proxy's restart). */
export const ASSET_CACHE_ZONE = 'assets';
export const ASSET_CACHE: CacheZones[string] = { maxSize: '64m' };
/**
 * The assets are not fingerprinted (app.js, style.css): an hour bounds how long an old copy
 * outlives a deploy (purge the zone through the admin API to end it at once). The app's own
 * max-age=300 is for browsers; the proxy keeps them longer.
 */
export const ASSET_CACHE_VALIDITY = '1h';
/** Browsers may keep an asset the proxy served locally for this long (the app says 5m). */
export const LOCAL_ASSET_EXPIRES = '10m';

/** Express announces itself; a front door should not tell attackers what is behind it. */
const HIDDEN = { remove: ['x-powered-by'] };

/** Routes for an app whose files the proxy reads from `publicDir` (an absolute path). */
export function localAppRoutes(upstream: string, publicDir: string): RouteConfig[] {
  return [
    {
      name: 'assets',
      match: { pathRegex: APP_ASSET_PATHS },
      static: { root: publicDir, fallback: upstream, expires: LOCAL_ASSET_EXPIRES },
      compress: {},
      responseHeaders: HIDDEN,
    },
    {
      name: 'page',
      match: { pathRegex: APP_PAGE_PATHS },
      static: { root: publicDir, fallback: upstream },
      compress: {},
      responseHeaders: { set: { 'Cache-Control': 'no-cache' }, ...HIDDEN },
    },
    appRoute(upstream),
  ];
}

/** Routes for an app whose files the proxy cannot read: its assets cached, nothing else. */
export function cachedAppRoutes(upstream: string): RouteConfig[] {
  return [
    {
      name: 'assets',
      match: { pathRegex: APP_ASSET_PATHS },
      proxy: { upstream },
      // The app's Cache-Control (max-age=300) is for browsers; the proxy's own sticky cookie rides
      // on these answers too, and is never stored.
      cache: { zone: ASSET_CACHE_ZONE, valid: [{ status: [200], for: ASSET_CACHE_VALIDITY }], ignoreHeaders: ['Cache-Control', 'Expires', 'Set-Cookie'] },
      compress: {},
      responseHeaders: HIDDEN,
    },
    appRoute(upstream),
  ];
}

export function cachedAppZones(): CacheZones {
  return { [ASSET_CACHE_ZONE]: ASSET_CACHE };
}

/** Everything else (the API, Socket.IO, probes): forwarded, compressed, never cached. */
function appRoute(upstream: string): RouteConfig {
  return { name: 'app', proxy: { upstream }, compress: {}, responseHeaders: HIDDEN };
}
