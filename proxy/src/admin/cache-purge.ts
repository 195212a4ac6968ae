// POST /api/caches/{zone}/purge (in the spirit of NGINX Plus's cache purge): { "key": "<key>" }
// removes that key's every variant, { "key": "<prefix>*" } every key starting with the prefix,
// from memory and disk; a response being stored for a matching key is dropped too.
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { issuesOf } from '../config/validate';
import { AdminHttpError } from './admin-http';
import type { AdminControl } from './admin-view';

/** Keys are request-derived (scheme, host, URI): far below this; a longer one is no key of ours. */
const MAX_KEY_LENGTH = 16 * 1024;

const PurgeRequest = Type.Object(
  { key: Type.String({ minLength: 1, maxLength: MAX_KEY_LENGTH, errorMessage: `expected a cache key (or a prefix ending in *), 1 to ${MAX_KEY_LENGTH} characters` }) },
  { additionalProperties: false },
);
const purgeChecker = TypeCompiler.Compile(PurgeRequest);

export function purgeCache(control: AdminControl, zoneName: string, body: unknown, by: string): { purged: number } {
  const zone = control.runtime().caches.get(zoneName);
  if (zone === undefined) throw new AdminHttpError(404, `no cache zone ${zoneName}`);
  const issues = issuesOf(purgeChecker, body);
  if (issues.length) throw new AdminHttpError(400, 'invalid purge', issues);
  const { key } = body as { key: string };
  const purged = zone.purge(key);
  control.log.info({ zone: zoneName, key, purged, by }, 'admin: cache purged');
  return { purged };
}
