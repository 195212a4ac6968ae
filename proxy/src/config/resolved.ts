// The config after validation and normalization: every default applied, every duration in ms.
// This is what the running proxy reads; nothing downstream re-checks or re-defaults it.
import type { BalanceMethodName } from './schema';

export interface ResolvedListener {
  name: string;
  host: string;
  port: number;
}

export interface ResolvedTimeouts {
  connect: number;
  firstByte: number;
  upstreamIdle: number;
  clientSend: number;
  clientHeader: number;
  clientBody: number;
  clientKeepAlive: number;
}

export interface ResolvedServer {
  id: string;
  address: string;
  host: string;
  port: number;
  weight: number;
  maxConns: number;
  maxFails: number;
  failTimeout: number;
  backup: boolean;
  down: boolean;
  /** Set draining by config (NGINX Plus `drain`). */
  drain: boolean;
  /** Sticky route id; '' when none. */
  route: string;
  /** Slow start: ms over which a recovered server's weight ramps from 0 to `weight`; 0: none. */
  slowStart: number;
}

export interface ResolvedStickyCookie {
  kind: 'cookie';
  name: string;
  /** The HMAC key (from config, PORTICO_STICKY_KEY, or random per start). */
  key: string;
  /** Max-Age in seconds; null: a session cookie; 'max': NGINX's expires=max. */
  expires: number | 'max' | null;
  domain: string | null;
  path: string | null;
  httpOnly: boolean;
  secure: boolean;
  sameSite: 'strict' | 'lax' | 'none' | null;
}

export interface ResolvedStickyRoute {
  kind: 'route';
  /** Templates tried in order; the first non-empty value names the route. */
  from: string[];
}

export interface ResolvedStickyLearn {
  kind: 'learn';
  cookie: string;
  timeout: number;
  maxEntries: number;
}

export type ResolvedSticky = ResolvedStickyCookie | ResolvedStickyRoute | ResolvedStickyLearn;

export interface ResolvedHealthCheck {
  interval: number;
  jitter: number;
  timeout: number;
  fails: number;
  passes: number;
  uri: string;
  method: 'GET' | 'HEAD';
  /** Extra request headers, names lowercased. */
  headers: [name: string, value: string][];
  /** null: the server's own port. */
  port: number | null;
  /** Accepted status ranges, inclusive. */
  status: [from: number, to: number][];
  /** Header name (lowercased) -> regex its value must match. */
  expectHeaders: [name: string, pattern: RegExp][];
  expectBody: RegExp | null;
  mandatory: boolean;
  persistent: boolean;
}

export interface ResolvedRetry {
  /** The failure kinds that move a request to the next server and count for passive health. */
  on: ReadonlySet<'error' | 'timeout'>;
  /** Upstream statuses treated the same way (proxy_next_upstream http_502 ...). */
  statuses: ReadonlySet<number>;
  tries: number;
  timeout: number;
  nonIdempotent: boolean;
}

/** What a server inherits from its upstream when it leaves it out (kept for servers added at run time). */
export interface ResolvedServerDefaults {
  maxFails: number;
  failTimeout: number;
  slowStart: number;
}

export interface ResolvedUpstream {
  name: string;
  servers: ResolvedServer[];
  serverDefaults: ResolvedServerDefaults;
  balance: BalanceMethodName;
  hashKey: string;
  consistent: boolean;
  retry: ResolvedRetry;
  keepalive: { timeout: number; connections: number };
  sticky: ResolvedSticky | null;
  healthCheck: ResolvedHealthCheck | null;
  /** How long tunnels on a draining server may stay open before they are closed (1001). */
  drainTimeout: number;
}

export interface ResolvedHeaderRules {
  set: [name: string, value: string][];
  remove: string[];
}

/** What a route does with a request it matched: one of these, never several. */
export type ResolvedAction =
  | { kind: 'proxy'; upstream: string; retryNonIdempotent: boolean; upgrades: string[] }
  | { kind: 'redirect'; location: string; status: number };

export interface ResolvedRoute {
  name: string;
  hosts: string[];
  path: string;
  pathRegex: RegExp | null;
  action: ResolvedAction;
  requestHeaders: ResolvedHeaderRules;
  responseHeaders: ResolvedHeaderRules;
}

export interface ResolvedConfig {
  listeners: ResolvedListener[];
  upstreams: Map<string, ResolvedUpstream>;
  routes: ResolvedRoute[];
  timeouts: ResolvedTimeouts;
  trustedProxies: string[];
  forwardedHeader: boolean;
  upstreamClient: 'auto' | 'native' | 'undici';
  /** null: no admin listener. */
  admin: ResolvedAdmin | null;
  log: { level: 'debug' | 'info' | 'warn' | 'error' | 'silent' };
}

export interface ResolvedAdmin {
  host: string;
  port: number;
  /** null: no token configured (then only a loopback listener without requireToken is open). */
  token: string | null;
  requireToken: boolean;
}
