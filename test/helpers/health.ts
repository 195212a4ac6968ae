// Helpers for active health check and slow start tests: an app whose health answer a test steers,
// and waits on a server's state through the ServerBook's observers (no polling).
import type { IncomingHttpHeaders } from 'node:http';
import type { PorticoProxy } from '../../proxy/src/proxy';
import type { ServerRecord, ServerState } from '../../proxy/src/upstream/server-state';
import { startBackend, type Backend } from './servers';

export interface HealthAnswer {
  status: number;
  body: string;
  headers: Record<string, string>;
  /** Never answer the check (it times out). */
  hang: boolean;
}

export interface CheckedApp extends Backend {
  name: string;
  /** What the next /health request gets; change it to make the server sick or well. */
  health: HealthAnswer;
  /** /health requests seen, with their headers. */
  checks: IncomingHttpHeaders[];
  /** Traffic requests seen (anything but /health). */
  served: () => number;
}

/** An app that answers `name` on every path but /health, which answers `health`. */
export async function startCheckedApp(name: string, health: Partial<HealthAnswer> = {}): Promise<CheckedApp> {
  const answer: HealthAnswer = { status: 200, body: 'ok', headers: {}, hang: false, ...health };
  const checks: IncomingHttpHeaders[] = [];
  let served = 0;
  const backend = await startBackend((req, res) => {
    if (req.url !== '/health') {
      served++;
      res.end(name);
      return;
    }
    checks.push(req.headers);
    if (answer.hang) return;
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  });
  return Object.assign(backend, { name, health: answer, checks, served: () => served });
}

export function recordOf(proxy: PorticoProxy, address: string, upstream = 'app'): ServerRecord {
  const server = proxy.runtime.registry.get(upstream).servers.find((s) => s.config.address === address);
  if (!server) throw new Error(`no server ${address} in ${upstream}`);
  return server.record;
}

/** Resolves when the server reaches `state` (at once if it is there); fails after `withinMs`. */
export function waitForState(proxy: PorticoProxy, address: string, state: ServerState, withinMs: number): Promise<number> {
  const started = Date.now();
  const record = recordOf(proxy, address);
  if (record.state === state) return Promise.resolve(0);
  return new Promise((resolve, reject) => {
    const stop = proxy.runtime.registry.book.observe((c) => {
      if (c.server !== record.id || c.to !== state) return;
      clearTimeout(timer);
      stop();
      resolve(Date.now() - started);
    });
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${address} is ${record.state}, not ${state}, after ${withinMs}ms (last check: ${JSON.stringify(record.lastCheck)})`));
    }, withinMs);
  });
}
