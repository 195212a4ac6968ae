// The TLS policy of every listener: TLS 1.2 and 1.3 only, and forward-secret AEAD suites only
// (Mozilla's "intermediate" list without DHE). Node's defaults already refuse TLS 1.0/1.1 but still
// offer CBC and plain-RSA key exchange suites, hence the explicit list.
import type { SecureContextOptions } from 'node:tls';

export const TLS_CIPHERS = [
  // TLS 1.3 (all AEAD, all ephemeral key exchange)
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  // TLS 1.2: ECDHE only, GCM and ChaCha20-Poly1305 only
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** Session lifetime for tickets and the session cache (NGINX ssl_session_timeout is 5m; a day, as Mozilla advises). */
export const TLS_SESSION_TIMEOUT_SECONDS = 24 * 3600;

/** What every secure context of a listener shares; `ticketKeys` keeps resumption working across SNI contexts. */
export function secureContextOptions(cert: Buffer, key: Buffer, ticketKeys: Buffer): SecureContextOptions {
  return {
    cert,
    key,
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    ciphers: TLS_CIPHERS,
    // All suites are strong: let the client pick (ChaCha20 for phones without AES instructions).
    honorCipherOrder: false,
    ecdhCurve: 'X25519:P-256:P-384',
    sessionTimeout: TLS_SESSION_TIMEOUT_SECONDS,
    ticketKeys,
  };
}
