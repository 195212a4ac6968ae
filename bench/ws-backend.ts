// Starts the WebSocket echo backend (servers/ws-echo.ts) on the load CPU, beside the HTTP backend.
import { freePort } from './net';
import type { Managed } from './procs';
import { startTsServer } from './servers/launch';
import type { Settings } from './settings';

export async function startWsBackend(repoRoot: string, dir: string, s: Settings): Promise<{ port: number; proc: Managed }> {
  const port = await freePort();
  const proc = await startTsServer({ repoRoot, dir, name: 'ws-echo', file: 'ws-echo.ts', args: [port], port, cpu: s.loadCpu });
  return { port, proc };
}
