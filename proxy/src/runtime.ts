// Everything a request needs, built from one resolved config and swapped as a whole on reload.
import { CachePolicy } from './cache/cache-policy';
import { CacheRegistry } from './cache/cache-registry';
import type { ResolvedCompress, ResolvedConfig, ResolvedProxyAction, ResolvedRoute } from './config/resolved';
import type { ForwardTarget } from './forward/dispatch';
import { HeaderRules } from './forward/header-rules';
import type { Logger } from './log';
import { CidrSet } from './net/cidr';
import { Router, type RoutableRoute } from './router';
import { StaticFiles } from './static/static-files';
import { compileTemplate, type Template } from './template';
import type { RouteStats } from './upstream/server-stats';
import { UpstreamRegistry } from './upstream/upstream-registry';

/** What a matched route does: exactly one action. */
export type RuntimeAction =
  | { kind: 'proxy'; target: ForwardTarget }
  | { kind: 'redirect'; location: Template; status: number }
  | { kind: 'static'; files: StaticFiles; fallback: ForwardTarget | null };

export interface RuntimeRoute extends RoutableRoute {
  name: string;
  action: RuntimeAction;
  requestRules: HeaderRules;
  /** On-the-fly compression; null: the route has none (no link in the response chain). */
  compress: ResolvedCompress | null;
  /** Counts requests and responses of this route (by name, kept across reloads). */
  stats: RouteStats;
}

export class Runtime {
  readonly router: Router<RuntimeRoute>;
  readonly trusted: CidrSet;

  private constructor(
    readonly config: ResolvedConfig,
    readonly registry: UpstreamRegistry,
    /** The cache zones (content kept across reloads); retired with the runtime like the upstreams. */
    readonly caches: CacheRegistry,
  ) {
    this.router = new Router(config.routes.map((r) => this.compileRoute(r)));
    this.trusted = new CidrSet(config.trustedProxies);
  }

  /** `log`: where the cache zones tell disk errors (a rebuild keeps the previous runtime's). */
  static build(config: ResolvedConfig, previous?: Runtime, log?: Logger): Runtime {
    return new Runtime(config, UpstreamRegistry.build(config, previous?.registry), CacheRegistry.build(config.caches, previous?.caches, log));
  }

  private compileRoute(route: ResolvedRoute): RuntimeRoute {
    return {
      name: route.name,
      hosts: route.hosts,
      path: route.path,
      pathRegex: route.pathRegex,
      action: this.compileAction(route),
      requestRules: new HeaderRules(route.requestHeaders),
      compress: route.compress,
      stats: this.registry.book.routeStats(route.name),
    };
  }

  private compileAction(route: ResolvedRoute): RuntimeAction {
    const action = route.action;
    if (action.kind === 'redirect') return { kind: 'redirect', location: compileTemplate(action.location), status: action.status };
    if (action.kind === 'static') {
      const rules = new HeaderRules(route.responseHeaders);
      const files = new StaticFiles(action, route.path, rules.empty ? null : rules, route.compress, this.config.timeouts.clientSend);
      return { kind: 'static', files, fallback: action.fallback === null ? null : this.forwardTarget(route, action.fallback) };
    }
    return { kind: 'proxy', target: this.forwardTarget(route, action) };
  }

  private forwardTarget(route: ResolvedRoute, action: ResolvedProxyAction): ForwardTarget {
    const rules = new HeaderRules(route.responseHeaders);
    return {
      upstream: this.registry.get(action.upstream),
      retryNonIdempotent: action.retryNonIdempotent,
      responseRules: rules.empty ? null : rules,
      upgrades: new Set(action.upgrades),
      stats: this.registry.book.routeStats(route.name),
      cache: this.cachePolicy(route),
    };
  }

  /** The route's cache: its zone and compiled templates; null without one (the request path then pays a null check). */
  private cachePolicy(route: ResolvedRoute): CachePolicy | null {
    if (route.cache === null) return null;
    const zone = this.caches.get(route.cache.zone);
    if (zone === undefined) throw new Error(`route ${route.name}: no cache zone "${route.cache.zone}"`); // validate.ts refuses this first
    return new CachePolicy(route.cache, zone);
  }
}
