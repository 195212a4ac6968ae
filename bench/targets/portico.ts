// Portico: the built bundle dist/portico-proxy.js, one process pinned to the proxy CPU. Variants
// share the start-up and differ only in their config: plain (two servers, round robin), sticky
// (a cookie-pinned server, every wrk request carrying the cookie) and health (the same traffic
// while 50 other servers are health-checked every second).
import { existsSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { freePort, HOST, waitForPort } from '../net';
import { start } from '../procs';
import type { TargetName } from '../settings';
import { GZIP_LEVEL, staticDir, warmCache } from './shared';
import type { StartTarget, TargetContext } from './types';

export type Upstreams = Record<string, unknown>;

/** Two ids for the one backend: round robin has a real choice, and so has the sticky cookie. */
export const twoServers = (backend: string) => [
  { address: backend, id: 'app-1' },
  { address: backend, id: 'app-2' },
];

function stickyUpstreams(backend: string): Upstreams {
  return {
    b: {
      servers: twoServers(backend),
      sticky: { cookie: { name: 'portico_server', key: 'bench-sticky-key-0123456789', httpOnly: true, sameSite: 'lax', path: '/' } },
    },
  };
}

/** The routed upstream as plain Portico's, and an unrouted one of 50 servers checked every second. */
function healthUpstreams(backend: string): Upstreams {
  const checked = Array.from({ length: 50 }, (_, i) => ({ address: backend, id: `checked-${i}` }));
  return {
    b: { servers: twoServers(backend) },
    checked: { servers: checked, healthCheck: { interval: '1s', uri: '/1k' } },
  };
}

type Route = Record<string, unknown>;

export async function startVariant(
  ctx: TargetContext,
  name: TargetName,
  upstreams: Upstreams,
  route: Route = { proxy: { upstream: 'b' } },
  extra: Record<string, unknown> = {},
  /** More listener fields, e.g. tls. */
  listener: Record<string, unknown> = {},
  /** More environment for the proxy process. */
  env: NodeJS.ProcessEnv = {},
): Promise<{ port: number; label: string; proc: ReturnType<typeof start> }> {
  const bundle = path.join(ctx.repoRoot, 'dist', 'portico-proxy.js');
  if (!existsSync(bundle)) throw new Error(`portico: ${bundle} is missing; run: node scripts/build.mjs portico-proxy`);
  const port = await freePort();
  const config = {
    listeners: [{ port, host: HOST, ...listener }],
    upstreams,
    routes: [route],
    log: { level: 'warn' },
    ...extra,
  };
  const file = path.join(ctx.dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  const flags = ctx.settings.porticoNodeFlags;
  const proc = start(name, ctx.settings.proxyNode, [...flags, bundle, '--config', file], {
    cpu: ctx.settings.proxyCpu,
    cwd: ctx.repoRoot,
    env: { ...process.env, ...env },
    logFile: path.join(ctx.dir, `${name}.log`),
  });
  await waitForPort(port, proc);
  const label = flags.length ? `${name} (${flags.join(' ')})` : name;
  return { port, label, proc };
}

export const startPortico: StartTarget = async (ctx) => {
  const backend = `${HOST}:${ctx.backendPort}`;
  // Round robin over the same two servers the sticky variant pins: its cost is the difference.
  const t = await startVariant(ctx, 'portico', { b: { servers: twoServers(backend) } });
  return { name: 'portico', ...t };
};

export const startPorticoSticky: StartTarget = async (ctx) => {
  const t = await startVariant(ctx, 'portico-sticky', stickyUpstreams(`${HOST}:${ctx.backendPort}`));
  const cookie = await firstCookie(t.port);
  return { name: 'portico-sticky', ...t, label: `${t.label}, cookie`, headers: [`Cookie: ${cookie}`] };
};

export const startPorticoHealth: StartTarget = async (ctx) => {
  const t = await startVariant(ctx, 'portico-health', healthUpstreams(`${HOST}:${ctx.backendPort}`));
  return { name: 'portico-health', ...t, label: `${t.label}, 50 servers checked/s` };
};

/** The sticky cookie the proxy sets on a first request (name=value), so every wrk request is bound. */
function firstCookie(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: HOST, port, path: '/1k', agent: false, timeout: 5000 }, (res) => {
        res.resume();
        const set = res.headers['set-cookie']?.find((c) => c.startsWith('portico_server='));
        if (set) resolve(set.split(';')[0]);
        else reject(new Error('portico-sticky: the first response set no portico_server cookie'));
      })
      .on('error', reject);
  });
}

/** A route cache over the same upstream: every request after the first is a memory HIT. */
export const startPorticoCache: StartTarget = (ctx) => cacheVariant(ctx, 'portico-cache', {}, 'memory HIT');

/** The same HIT with node:http, not Portico's own server, reading the clients' HTTP/1.1. */
export const startPorticoCacheNodeHttp: StartTarget = (ctx) =>
  cacheVariant(ctx, 'portico-cache-node-http', { PORTICO_HTTP1_SERVER: 'node' }, 'memory HIT, node:http server');

async function cacheVariant(ctx: TargetContext, name: 'portico-cache' | 'portico-cache-node-http', env: NodeJS.ProcessEnv, what: string) {
  const backend = `${HOST}:${ctx.backendPort}`;
  const route = { proxy: { upstream: 'b' }, cache: { zone: 'c', valid: [{ status: [200], for: '10m' }] } };
  const t = await startVariant(ctx, name, { b: { servers: twoServers(backend) } }, route, { caches: { c: { maxSize: '256m' } } }, {}, env);
  await warmCache(t.port, ctx.settings.bodies);
  return { name, ...t, label: `${t.label}, ${what}` };
}

/** The bench bodies as files from the static action (etag on, as nginx). */
export const startPorticoStatic: StartTarget = async (ctx) => {
  const route = { static: { root: staticDir(ctx), precompressed: false } };
  const t = await startVariant(ctx, 'portico-static', { b: { servers: twoServers(`${HOST}:${ctx.backendPort}`) } }, route);
  return { name: 'portico-static', ...t };
};

/** Proxied and gzipped on the fly at nginx-gzip's level (wrk sends Accept-Encoding: gzip). */
export const startPorticoGzip: StartTarget = async (ctx) => {
  const route = { proxy: { upstream: 'b' }, compress: { encodings: ['gzip'], gzipLevel: GZIP_LEVEL, minLength: 1024, types: ['text/plain'] } };
  const t = await startVariant(ctx, 'portico-gzip', { b: { servers: twoServers(`${HOST}:${ctx.backendPort}`) } }, route);
  return { name: 'portico-gzip', ...t, label: `${t.label}, level ${GZIP_LEVEL}`, headers: ['Accept-Encoding: gzip'] };
};
