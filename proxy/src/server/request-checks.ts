// Checks on a client's request, made before anything is forwarded.
import type { RuntimeRoute } from '../runtime';
import type { TemplateContext } from '../template';

/** A route's header rule would write an invalid value (CR, LF, NUL...) for this request: 400. */
export function rejectsHeaderValues(route: RuntimeRoute, ctx: TemplateContext): boolean {
  return route.requestRules.rejects(ctx) || (route.forward !== null && route.forward.responseRules.rejects(ctx));
}
