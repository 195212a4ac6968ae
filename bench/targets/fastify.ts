// fastify + @fastify/http-proxy with undici keep-alive, pinned to the proxy CPU.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../net';
import { startTsServer } from '../servers/launch';
import type { StartTarget } from './types';

export const startFastify: StartTarget = async (ctx) => {
  const port = await freePort();
  const proc = await startTsServer({ repoRoot: ctx.repoRoot, dir: ctx.dir, name: 'fastify', file: 'fastify-proxy.ts', args: [port, ctx.backendPort], port, cpu: ctx.settings.proxyCpu, node: ctx.settings.proxyNode });
  return { name: 'fastify', label: `@fastify/http-proxy ${version(ctx.repoRoot)}`, port, proc };
};

function version(repoRoot: string): string {
  try {
    const file = path.join(repoRoot, 'node_modules', '@fastify', 'http-proxy', 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}
