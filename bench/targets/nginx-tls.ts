// nginx terminating TLS (`listen ssl http2`, the 1.22 syntax) in front of the same backend:
// nginx-https (loaded by h2load --h1) and nginx-h2 run the same config, each in its own process.
// Same certificate as Portico (tls-cert.ts), and Portico's policy: TLS 1.2/1.3, ECDHE AEAD suites,
// the client's preference (ssl_prefer_server_ciphers off), a session cache.
import { benchCertificate } from '../tls-cert';
import type { TargetName } from '../settings';
import { NGINX_PROXY, startVariant } from './nginx';
import type { StartTarget, TargetContext } from './types';

/** TLS 1.2 suites as proxy/src/tls/tls-settings.ts lists them; TLS 1.3 uses OpenSSL's three, as Node does. */
const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

function startTls(ctx: TargetContext, name: TargetName) {
  const { cert, key } = benchCertificate(ctx.dir);
  return startVariant(ctx, name, () => ({
    listen: 'ssl http2',
    server: `ssl_certificate ${cert};
    ssl_certificate_key ${key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ${TLS12_CIPHERS};
    ssl_ecdh_curve X25519:prime256v1:secp384r1;
    ssl_session_cache shared:SSL:10m;
    ssl_session_timeout 1d;`,
    location: NGINX_PROXY.location,
  }));
}

export const startNginxHttps: StartTarget = (ctx) => startTls(ctx, 'nginx-https');
export const startNginxH2: StartTarget = (ctx) => startTls(ctx, 'nginx-h2');
