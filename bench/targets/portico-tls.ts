// Portico's TLS listener (h2 and http/1.1 by ALPN, as nginx's `listen ssl http2`) with the run's
// certificate, proxying to the same backend over the same two server ids as plain Portico:
// portico-https is loaded by h2load --h1, portico-h2 by h2load over h2; one process each.
import { HOST } from '../net';
import type { TargetName } from '../settings';
import { benchCertificate } from '../tls-cert';
import { startVariant, twoServers } from './portico';
import type { StartTarget, TargetContext } from './types';

async function startTls(ctx: TargetContext, name: TargetName) {
  const tls = { certificates: [benchCertificate(ctx.dir)], http2: true };
  const t = await startVariant(ctx, name, { b: { servers: twoServers(`${HOST}:${ctx.backendPort}`) } }, undefined, {}, { tls });
  return { name, ...t };
}

export const startPorticoHttps: StartTarget = (ctx) => startTls(ctx, 'portico-https');
export const startPorticoH2: StartTarget = (ctx) => startTls(ctx, 'portico-h2');
