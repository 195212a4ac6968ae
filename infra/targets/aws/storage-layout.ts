// Keys of the proxy's objects under its prefix in the stack bucket: the user data reads them, the
// storage resources write them, the IAM policy scopes the proxy role to the prefix.
export const PROXY_PREFIX = 'proxy';

export const PROXY_OBJECTS = {
  config: 'config.json',
  env: 'proxy.env',
  cert: 'tls/cert.pem',
  key: 'tls/key.pem',
  /** The only part the proxy writes. */
  acmeDir: 'acme',
} as const;
