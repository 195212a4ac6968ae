// sticky route: the client carries a route id (NGINX Plus `sticky route $var ...`), from a cookie,
// a header or the query; the first non-empty value counts, and in a value with dots only the part
// after the last one (Tomcat's "<session>.<jvmRoute>"). It names the server whose `route` matches.
import type { ResolvedStickyRoute } from '../../config/resolved';
import { compileTemplate, type Template, type TemplateContext } from '../../template';
import type { UpstreamServer } from '../upstream-server';
import type { StickyPolicy } from './sticky-policy';

export class RoutePolicy implements StickyPolicy {
  readonly watchesAnswers = false;
  private readonly from: Template[];
  private builtFor: readonly UpstreamServer[] | null = null;
  private builtCount = 0;
  private routes = new Map<string, UpstreamServer>();

  constructor(config: ResolvedStickyRoute) {
    this.from = config.from.map(compileTemplate);
  }

  find(request: TemplateContext, servers: readonly UpstreamServer[]): UpstreamServer | null {
    const value = this.routeOf(request);
    if (value === '') return null;
    return this.routesOf(servers).get(value) ?? null;
  }

  onAnswer(): void {
    // Nothing to learn or set: the client (or the app) carries the route.
  }

  private routeOf(request: TemplateContext): string {
    for (let i = 0; i < this.from.length; i++) {
      const value = this.from[i](request);
      if (value !== '') {
        const dot = value.lastIndexOf('.');
        return dot === -1 ? value : value.slice(dot + 1);
      }
    }
    return '';
  }

  /** Route id -> server, rebuilt when the server list changes (the first server of an id wins). */
  private routesOf(servers: readonly UpstreamServer[]): Map<string, UpstreamServer> {
    if (servers !== this.builtFor || servers.length !== this.builtCount) {
      this.routes = new Map();
      for (const s of servers) if (s.config.route !== '' && !this.routes.has(s.config.route)) this.routes.set(s.config.route, s);
      this.builtFor = servers;
      this.builtCount = servers.length;
    }
    return this.routes;
  }
}
