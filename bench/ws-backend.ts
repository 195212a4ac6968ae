// Starts the WebSocket echo backend (servers/ws-echo.ts) on the load CPU, beside the HTTP backend.
import path from 'node:path';
import { freePort, waitForPort } from './net';
import { start, type Managed } from './procs';
import { tsServerArgs } from './servers/launch';
import type { Settings } from './settings';

export async function startWsBackend(repoRoot: string, dir: string, s: Settings): Promise<{ port: number; proc: Managed }> {
  const port = await freePort();
  const proc = start('ws-echo', process.execPath, tsServerArgs(repoRoot, 'ws-echo.ts', [port]), {
    cpu: s.loadCpu,
    cwd: repoRoot,
    logFile: path.join(dir, 'ws-echo.log'),
  });
  await waitForPort(port, proc);
  return { port, proc };
}
