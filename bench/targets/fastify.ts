// fastify + @fastify/http-proxy with undici keep-alive, pinned to the proxy CPU.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, waitForPort } from '../net';
import { start } from '../procs';
import { tsServerArgs } from '../servers/launch';
import type { StartTarget } from './types';

export const startFastify: StartTarget = async (ctx) => {
  const port = await freePort();
  const proc = start('fastify', process.execPath, tsServerArgs(ctx.repoRoot, 'fastify-proxy.ts', [port, ctx.backendPort]), {
    cpu: ctx.settings.proxyCpu,
    cwd: ctx.repoRoot,
    logFile: path.join(ctx.dir, 'fastify.log'),
  });
  await waitForPort(port, proc);
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
