// A named group of servers with its balancing policy. Claiming a server (synchronous, counts the
// request) is kept apart from forwarding to it (asynchronous), so maxConns holds under concurrency.
import type { ResolvedUpstream } from '../config/resolved';
import { compileTemplate, type Template, type TemplateContext } from '../template';
import type { Balancer, PickContext } from './balancer';
import { createBalancer } from './balancers';
import { ipHashKey } from './balancers/hash';
import { RoundRobinBalancer } from './balancers/round-robin';
import { ServerBook } from './server-book';
import { createStickyPolicy, takesBoundClient, type StickyPolicy } from './sticky/sticky-policy';
import type { UpstreamServer } from './upstream-server';

export class Upstream {
  readonly primary: UpstreamServer[];
  readonly backup: UpstreamServer[];
  private readonly balancer: Balancer;
  private readonly backupBalancer = new RoundRobinBalancer();
  private readonly key: Template | null;
  /** null without sticky: claim then only checks this. */
  readonly sticky: StickyPolicy | null;

  constructor(
    readonly config: ResolvedUpstream,
    readonly servers: UpstreamServer[],
    /** Where sticky learn keeps its table (across reloads). */
    book: ServerBook | null = null,
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
    this.sticky = config.sticky === null ? null : createStickyPolicy(config.sticky, config.name, book ?? new ServerBook());
  }

  get name(): string {
    return this.config.name;
  }

  hashKey(ctx: TemplateContext): string {
    return this.key === null ? '' : this.key(ctx);
  }

  /** Picks and claims a server (its `active` count goes up); null when none is available. */
  claim(ctx: PickContext): UpstreamServer | null {
    // A retry never goes back to the bound server (it is among `tried`): it is balanced as usual.
    let server = this.sticky !== null && ctx.tried.length === 0 && ctx.request !== undefined ? this.bound(ctx.request, ctx) : null;
    if (server === null) server = this.balancer.pick(this.primary, ctx);
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

  /**
   * The server the request is bound to when it can take it now; null: pick as if unbound. A
   * backup binds only while no primary is available, so clients return once primaries are back.
   */
  private bound(request: TemplateContext, ctx: PickContext): UpstreamServer | null {
    const now = ctx.now;
    const server = this.sticky!.find(request, this.servers, now);
    ctx.bound = server;
    if (server === null || !takesBoundClient(server, now)) return null;
    if (server.config.backup && this.primary.some((s) => s.isAvailable(now))) return null;
    return server;
  }
}
