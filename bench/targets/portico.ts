// Portico: the built bundle dist/portico-proxy.js, one process pinned to the proxy CPU.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, HOST, waitForPort } from '../net';
import { start } from '../procs';
import type { StartTarget } from './types';

export const startPortico: StartTarget = async (ctx) => {
  const bundle = path.join(ctx.repoRoot, 'dist', 'portico-proxy.js');
  if (!existsSync(bundle)) throw new Error(`portico: ${bundle} is missing; run: node scripts/build.mjs portico-proxy`);
  const port = await freePort();
  const config = {
    listeners: [{ port, host: HOST }],
    upstreams: { b: { servers: [{ address: `${HOST}:${ctx.backendPort}` }] } },
    routes: [{ proxy: { upstream: 'b' } }],
    log: { level: 'warn' },
  };
  const file = path.join(ctx.dir, 'portico.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  const flags = ctx.settings.porticoNodeFlags;
  const proc = start('portico', process.execPath, [...flags, bundle, '--config', file], {
    cpu: ctx.settings.proxyCpu,
    cwd: ctx.repoRoot,
    logFile: path.join(ctx.dir, 'portico.log'),
  });
  await waitForPort(port, proc);
  const label = flags.length ? `portico (${flags.join(' ')})` : 'portico';
  return { name: 'portico', label, port, proc };
};
