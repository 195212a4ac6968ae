// The Node floor beside the nginx pairs: one Node process pinned to the proxy CPU, answering from
// memory with the backend's bytes (servers/node-reference.ts), no proxying. node-http is loaded by
// wrk (the cache and static references), node-https by h2load --h1, node-h2 by h2load over h2.
// Plain node, without PORTICO_NODE_FLAGS: the floor is what Node costs as it comes.
import { freePort } from '../net';
import type { TargetName } from '../settings';
import { nodeVersion } from '../node-version';
import { startTsServer } from '../servers/launch';
import { benchCertificate } from '../tls-cert';
import type { StartTarget, TargetContext } from './types';

type Mode = 'http' | 'https' | 'h2';

const API: Record<Mode, string> = { http: 'node:http', https: 'node:https', h2: 'node:http2 stream API' };

async function startReference(ctx: TargetContext, name: TargetName, mode: Mode) {
  const port = await freePort();
  const cert = mode === 'http' ? null : benchCertificate(ctx.dir);
  const tls = cert ? [cert.cert, cert.key] : [];
  const proc = await startTsServer({ repoRoot: ctx.repoRoot, dir: ctx.dir, name, file: 'node-reference.ts', args: [mode, port, ...tls], port, cpu: ctx.settings.proxyCpu, node: ctx.settings.proxyNode });
  return { name, label: `${name} (${API[mode]} ${nodeVersion(ctx.settings.proxyNode)}, fixed buffer)`, port, proc };
}

export const startNodeHttp: StartTarget = (ctx) => startReference(ctx, 'node-http', 'http');
export const startNodeHttps: StartTarget = (ctx) => startReference(ctx, 'node-https', 'https');
export const startNodeH2: StartTarget = (ctx) => startReference(ctx, 'node-h2', 'h2');
