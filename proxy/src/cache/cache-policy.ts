// The request side of a route's cache: which requests look in the cache, which may be stored, and
// under what key. Compiled once per route at config load (proxy_cache_key, proxy_cache_methods,
// proxy_cache_bypass, proxy_no_cache).
import type { ResolvedRouteCache } from '../config/resolved';
import { compileTemplate, type Template, type TemplateContext } from '../template';
import type { CacheZone } from './cache-types';
import { CacheLock, lockOf } from './cache-lock';
import { hasRawHeader } from '../net/raw-headers';

export class CachePolicy {
  readonly key: Template;
  private readonly bypass: Template[] | null;
  private readonly noStore: Template[] | null;
  readonly lock: CacheLock;

  constructor(
    readonly config: ResolvedRouteCache,
    readonly zone: CacheZone,
  ) {
    this.key = compileTemplate(config.key);
    this.bypass = config.bypass.length === 0 ? null : config.bypass.map(compileTemplate);
    this.noStore = config.noStore.length === 0 ? null : config.noStore.map(compileTemplate);
    this.lock = lockOf(zone);
  }

  /** The primary key of a request. */
  keyOf(ctx: TemplateContext): string {
    const key = this.key(ctx);
    // Portico passes the Host on as received, port included, where $host drops the port: a Host
    // with a port would otherwise share the key of the bare host while the upstream sees (and may
    // reflect, in links or redirects) another authority.
    const host = ctx.host;
    return host.indexOf(':') === -1 ? key : `${key}\n${host.toLowerCase()}`;
  }

  /** Whether the request may be answered from the cache (the lookup is skipped otherwise: BYPASS). */
  mayLookup(ctx: TemplateContext, raw: readonly string[]): boolean {
    if (!this.config.methods.has(ctx.method)) return false;
    // RFC 9111 §3.5: a shared cache does not answer a request that carries credentials from what
    // another client was sent; the response may still be stored if it says it is shareable.
    if (hasRawHeader(raw, 'authorization')) return false;
    return this.bypass === null || !anySet(this.bypass, ctx);
  }

  /** Whether a response to this request may be stored (proxy_no_cache; uncacheable methods). */
  mayStore(ctx: TemplateContext): boolean {
    // Only GET fills the cache: a HEAD answer has no body to keep (its hits come from the GET entry).
    if (ctx.method !== 'GET' || !this.config.methods.has('GET')) return false;
    return this.noStore === null || !anySet(this.noStore, ctx);
  }
}

/** NGINX proxy_cache_bypass / proxy_no_cache: a value counts when it is non-empty and not "0". */
export function isSet(value: string): boolean {
  return value !== '' && value !== '0';
}

function anySet(templates: Template[], ctx: TemplateContext): boolean {
  for (const t of templates) if (isSet(t(ctx))) return true;
  return false;
}
