// Keys of the proxy's objects under its prefix in the stack bucket: the user data reads them, the
// storage resources write them, the IAM policy scopes each role to its own prefix.
export const PROXY_PREFIX = 'proxy';

export const PROXY_OBJECTS = {
  /** The config proxy 1 runs (the only proxy, or the one that orders ACME certificates). */
  config: 'config.json',
  /** With ACME on several proxies, the config the others run: ACME followers of proxy 1. */
  followerConfig: 'config-follower.json',
  env: 'proxy.env',
  cert: 'tls/cert.pem',
  key: 'tls/key.pem',
  /** The only part the proxy writes. */
  acmeDir: 'acme',
  /** In acmeDir: the ACME account's key (proxy/src/acme/certificate-files.ts); the followers never read it. */
  acmeAccountKey: 'account.key',
} as const;

/** The app VMs' prefix: only their role reads it (the proxy's cannot, nor theirs the proxy's). */
export const APP_PREFIX = 'app';

export const APP_OBJECTS = {
  /** The user's secretEnv as a Docker env file. */
  env: 'app.env',
} as const;
