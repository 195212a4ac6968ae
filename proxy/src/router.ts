// Host + path -> route, with NGINX's precedence so configs read the way NGINX users expect:
//  1. server: an exact host beats a "*.example.com" wildcard, which beats a "~regex" host, which
//     beats routes with no host (the default server);
//  2. location: within that server, regex paths are tried in config order and the first match wins;
//     otherwise the longest matching path prefix wins.

export interface RoutableRoute {
  hosts: string[];
  path: string;
  pathRegex: RegExp | null;
}

interface ServerBlock<R> {
  prefixes: R[]; // longest first
  regexes: R[]; // config order
}

export class Router<R extends RoutableRoute> {
  private readonly exact = new Map<string, ServerBlock<R>>();
  private readonly wildcards: [suffix: string, block: ServerBlock<R>][] = [];
  private readonly hostRegexes: [RegExp, ServerBlock<R>][] = [];
  private readonly fallback: ServerBlock<R> | null;

  constructor(routes: readonly R[]) {
    const blocks = new Map<string, R[]>();
    for (const route of routes) {
      for (const host of route.hosts.length ? route.hosts : ['']) {
        const list = blocks.get(host) ?? [];
        list.push(route);
        blocks.set(host, list);
      }
    }
    let fallback: ServerBlock<R> | null = null;
    for (const [host, list] of blocks) {
      const block = toBlock(list);
      if (host === '') fallback = block;
      else if (host.startsWith('~')) this.hostRegexes.push([new RegExp(host.slice(1), 'i'), block]);
      else if (host.startsWith('*.')) this.wildcards.push([host.slice(1), block]);
      else this.exact.set(host, block);
    }
    this.wildcards.sort((a, b) => b[0].length - a[0].length);
    this.fallback = fallback;
  }

  /** `host` is lowercased and without port; `path` excludes the query string. */
  match(host: string, path: string): R | null {
    const block = this.serverFor(host);
    if (block === null) return null;
    for (const route of block.regexes) if (route.pathRegex!.test(path)) return route;
    for (const route of block.prefixes) if (path.startsWith(route.path)) return route;
    return null;
  }

  private serverFor(host: string): ServerBlock<R> | null {
    const exact = this.exact.get(host);
    if (exact) return exact;
    for (const [suffix, block] of this.wildcards) if (host.endsWith(suffix)) return block;
    for (const [re, block] of this.hostRegexes) if (re.test(host)) return block;
    return this.fallback;
  }
}

function toBlock<R extends RoutableRoute>(routes: R[]): ServerBlock<R> {
  return {
    regexes: routes.filter((r) => r.pathRegex !== null),
    prefixes: routes.filter((r) => r.pathRegex === null).sort((a, b) => b.path.length - a.path.length),
  };
}

/** The Host header without port, lowercased: "Example.com:8080" -> "example.com", "[::1]:80" -> "[::1]". */
export function hostName(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  const end = hostHeader.startsWith('[') ? hostHeader.indexOf(']') + 1 : hostHeader.indexOf(':');
  return (end > 0 ? hostHeader.slice(0, end) : hostHeader).toLowerCase();
}
