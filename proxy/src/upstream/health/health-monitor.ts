// The per-proxy owner of health checkers: one per checked server, started with the proxy, kept
// across a reload that checks the server the same way (no burst of checks per reload), replaced
// when the check or the address changes, stopped when the server goes and on close.
import type { ResolvedHealthCheck, ResolvedServer } from '../../config/resolved';
import type { Logger } from '../../log';
import type { ServerRecord } from '../server-state';
import type { UpstreamRegistry } from '../upstream-registry';
import { HealthChecker } from './checker';

export class HealthMonitor {
  private checkers = new Map<ServerRecord, HealthChecker>();
  private closed = false;

  constructor(private readonly log: Logger) {}

  /** Makes the running checkers those `registry` asks for. */
  sync(registry: UpstreamRegistry): void {
    if (this.closed) return;
    const next = new Map<ServerRecord, HealthChecker>();
    for (const upstream of registry.upstreams.values()) {
      const check = upstream.config.healthCheck;
      if (check === null) continue;
      for (const server of upstream.servers) {
        const key = checkerKey(check, server.config);
        const running = this.checkers.get(server.record);
        if (running !== undefined && running.key === key) {
          next.set(server.record, running);
          if (server.record.state === 'checking') running.checkSoon();
          continue;
        }
        const checker = new HealthChecker(key, server.record, check, server, this.log);
        next.set(server.record, checker);
        checker.start();
      }
    }
    for (const [record, checker] of this.checkers) if (next.get(record) !== checker) checker.stop();
    this.checkers = next;
  }

  /** Stops every check; none starts afterwards. */
  close(): void {
    this.closed = true;
    for (const checker of this.checkers.values()) checker.stop();
    this.checkers.clear();
  }
}

/** What a checker depends on: the check (regexes by source) and where it sends it. */
function checkerKey(check: ResolvedHealthCheck, server: ResolvedServer): string {
  const json = JSON.stringify(check, (_k, v: unknown) => (v instanceof RegExp ? `/${v.source}/${v.flags}` : v));
  return `${server.host}\0${server.port}\0${server.address}\0${json}`;
}
