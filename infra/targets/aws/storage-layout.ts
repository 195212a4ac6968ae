// Keys of the proxy's objects under its prefix in the stack bucket: the user data reads them, the
// storage resources write them, the IAM policy scopes each role to its own prefix.
export const PROXY_PREFIX = 'proxy';

export const PROXY_OBJECTS = {
  config: 'config.json',
  env: 'proxy.env',
  cert: 'tls/cert.pem',
  key: 'tls/key.pem',
  /** The only part the proxy writes. */
  acmeDir: 'acme',
} as const;

/** The app VMs' prefix: only their role reads it (the proxy's cannot, nor theirs the proxy's). */
export const APP_PREFIX = 'app';

export const APP_OBJECTS = {
  /** The user's secretEnv as a Docker env file. */
  env: 'app.env',
} as const;
