// What the schema cannot say about listeners' TLS and redirect settings.
import { toMilliseconds } from './duration';
import { DEFAULT_HSTS_MAX_AGE_SECONDS } from './defaults';
import type { ProxyConfig } from './schema';

/** hstspreload.org refuses a max-age under a year. */
const PRELOAD_MIN_SECONDS = 365 * 24 * 3600;

export function listenerTlsIssues(config: ProxyConfig, add: (path: string, message: string) => void): void {
  config.listeners.forEach((l, i) => {
    const at = `listeners[${i}]`;
    if (l.tls && l.redirectToHttps !== undefined && l.redirectToHttps !== false) {
      add(`${at}.redirectToHttps`, 'only for plain listeners (this one has tls)');
    }
    const hsts = l.tls?.hsts;
    if (hsts?.preload) {
      const maxAge = hsts.maxAge === undefined ? DEFAULT_HSTS_MAX_AGE_SECONDS : toMilliseconds(hsts.maxAge) / 1000;
      if (!hsts.includeSubDomains) add(`${at}.tls.hsts.preload`, 'needs includeSubDomains (hstspreload.org)');
      if (maxAge < PRELOAD_MIN_SECONDS) add(`${at}.tls.hsts.maxAge`, 'preload needs a max-age of at least one year');
    }
  });
}
