// Where a server starts when a config is applied (start or reload), as NGINX Plus's `mandatory` and
// `persistent` say: with a mandatory check it waits in 'checking' (no traffic) for a first pass,
// unless `persistent` and it was in service before the reload.
import type { ResolvedHealthCheck } from '../../config/resolved';
import type { ServerRecord, ServerState } from '../server-state';

/**
 * `before`: the server's state under the config being replaced, or null when that config did not
 * have it (first start, or added by this reload).
 */
export function applyStartState(record: ServerRecord, check: ResolvedHealthCheck | null, before: ServerState | null): void {
  const state = record.state;
  if (check === null || !check.mandatory) {
    // Nothing will end a wait for a first pass (nor, without checks, an unhealthy verdict) any more.
    if (state === 'checking' || (check === null && state === 'unhealthy')) record.transition('up', 'config', 'no mandatory health check');
    return;
  }
  if (state !== 'up' && state !== 'unavailable' && state !== 'unhealthy') return; // down, draining, checking stay
  if (check.persistent && (before === 'up' || before === 'unavailable')) return;
  record.transition('checking', 'active', 'mandatory health check: waiting for a first pass');
}
