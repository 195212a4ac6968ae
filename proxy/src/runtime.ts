// Everything a request needs, built from one resolved config and swapped as a whole on reload.
import type { ResolvedConfig, ResolvedRoute } from './config/resolved';
import { HeaderRules } from './forward/header-rules';
import type { ForwardTarget } from './forward/exchange';
import { CidrSet } from './net/cidr';
import { Router, type RoutableRoute } from './router';
import { compileTemplate, type Template } from './template';
import { UpstreamRegistry } from './upstream/upstream-registry';

export interface RuntimeRoute extends RoutableRoute {
  name: string;
  forward: ForwardTarget | null;
  redirect: { location: Template; status: number } | null;
  requestRules: HeaderRules;
}

export class Runtime {
  readonly router: Router<RuntimeRoute>;
  readonly trusted: CidrSet;

  private constructor(
    readonly config: ResolvedConfig,
    readonly registry: UpstreamRegistry,
  ) {
    this.router = new Router(config.routes.map((r) => this.compileRoute(r)));
    this.trusted = new CidrSet(config.trustedProxies);
  }

  static build(config: ResolvedConfig, previous?: Runtime): Runtime {
    return new Runtime(config, UpstreamRegistry.build(config, previous?.registry));
  }

  private compileRoute(route: ResolvedRoute): RuntimeRoute {
    return {
      name: route.name,
      hosts: route.hosts,
      path: route.path,
      pathRegex: route.pathRegex,
      forward: route.proxy
        ? {
            upstream: this.registry.get(route.proxy.upstream),
            retryNonIdempotent: route.proxy.retryNonIdempotent,
            responseRules: new HeaderRules(route.responseHeaders),
          }
        : null,
      redirect: route.redirect ? { location: compileTemplate(route.redirect.location), status: route.redirect.status } : null,
      requestRules: new HeaderRules(route.requestHeaders),
    };
  }
}
