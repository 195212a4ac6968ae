// A named group of servers with its balancing policy. Claiming a server (synchronous, counts the
// request) is kept apart from forwarding to it (asynchronous), so maxConns holds under concurrency.
import type { ResolvedUpstream } from '../config/resolved';
import { compileTemplate, type Template, type TemplateContext } from '../template';
import type { Balancer, PickContext } from './balancer';
import { createBalancer } from './balancers';
import { ipHashKey } from './balancers/hash';
import { RoundRobinBalancer } from './balancers/round-robin';
import type { UpstreamServer } from './upstream-server';

export class Upstream {
  readonly primary: UpstreamServer[];
  readonly backup: UpstreamServer[];
  private readonly balancer: Balancer;
  private readonly backupBalancer = new RoundRobinBalancer();
  private readonly key: Template | null;

  constructor(
    readonly config: ResolvedUpstream,
    readonly servers: UpstreamServer[],
  ) {
    this.primary = servers.filter((s) => !s.config.backup);
    this.backup = servers.filter((s) => s.config.backup);
    this.balancer = createBalancer(config.balance, config.consistent);
    this.key =
      config.balance === 'hash'
        ? compileTemplate(config.hashKey)
        : config.balance === 'ip-hash'
          ? (ctx) => ipHashKey(ctx.remoteAddr)
          : null;
  }

  get name(): string {
    return this.config.name;
  }

  hashKey(ctx: TemplateContext): string {
    return this.key === null ? '' : this.key(ctx);
  }

  /** Picks and claims a server (its `active` count goes up); null when none is available. */
  claim(ctx: PickContext): UpstreamServer | null {
    let server = this.balancer.pick(this.primary, ctx);
    if (server === null && this.backup.length > 0) server = this.backupBalancer.pick(this.backup, ctx);
    if (server !== null) server.active++;
    return server;
  }

  /** Whether `claim` could find a server, without claiming one or moving the balancer. */
  hasCandidate(now: number, tried: readonly UpstreamServer[]): boolean {
    return this.servers.some((s) => s.isAvailable(now) && !tried.includes(s));
  }

  release(server: UpstreamServer): void {
    server.active--;
  }
}
