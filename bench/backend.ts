// Starts the shared node:http backend on the load CPU and checks its two bodies.
import { checkResponse, freePort } from './net';
import type { Managed } from './procs';
import { startTsServer } from './servers/launch';
import { BODY_BYTES, type Settings } from './settings';

export async function startBackend(repoRoot: string, dir: string, s: Settings): Promise<{ port: number; proc: Managed }> {
  const port = await freePort();
  const proc = await startTsServer({ repoRoot, dir, name: 'backend', file: 'backend.ts', args: [port], port, cpu: s.loadCpu });
  for (const body of s.bodies) await checkResponse(port, `/${body}`, BODY_BYTES[body]);
  return { port, proc };
}
