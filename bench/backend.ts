// Starts the shared node:http backend on the load CPU and checks its two bodies.
import path from 'node:path';
import { checkResponse, freePort, waitForPort } from './net';
import { start, type Managed } from './procs';
import { tsServerArgs } from './servers/launch';
import { BODY_BYTES, type Settings } from './settings';

export async function startBackend(repoRoot: string, dir: string, s: Settings): Promise<{ port: number; proc: Managed }> {
  const port = await freePort();
  const proc = start('backend', process.execPath, tsServerArgs(repoRoot, 'backend.ts', [port]), {
    cpu: s.loadCpu,
    cwd: repoRoot,
    logFile: path.join(dir, 'backend.log'),
  });
  await waitForPort(port, proc);
  for (const body of s.bodies) await checkResponse(port, `/${body}`, BODY_BYTES[body]);
  return { port, proc };
}
