// The config after validation and normalization: every default applied, every duration in ms.
// This is what the running proxy reads; nothing downstream re-checks or re-defaults it.
import type { BalanceMethodName } from './schema';

export interface ResolvedListener {
  name: string;
  host: string;
  port: number;
  /** null: plain HTTP. */
  tls: ResolvedTls | null;
  /** Plain listeners: the HTTPS port every request is redirected to (301); null: no redirect. */
  redirectToHttps: number | null;
}

export interface ResolvedTls {
  /** Read and checked at load; the first is the default. Empty when only ACME serves the listener. */
  certificates: LoadedCertificate[];
  /** Serve the top-level `acme` names' certificates too. */
  acme: boolean;
  /** Staple OCSP answers (NGINX ssl_stapling). */
  ocspStapling: boolean;
  /** The Strict-Transport-Security value; null: none. */
  hsts: string | null;
  http2: boolean;
  maxConcurrentStreams: number;
  /** Bytes (HPACK-decoded, 32 per field counted as RFC 9113 says). */
  maxHeaderListSize: number;
}

/** A certificate and key read from their files, with the DNS names it serves (from its SAN). */
export interface LoadedCertificate {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
  /** Lowercased DNS names: exact ("a.example.com") or wildcard ("*.example.com"). */
  names: string[];
  /** When it expires (epoch ms). */
  notAfter: number;
}

export interface ResolvedTimeouts {
  connect: number;
  firstByte: number;
  upstreamIdle: number;
  clientSend: number;
  clientHeader: number;
  clientBody: number;
  clientKeepAlive: number;
  /** Idle limit of an upgraded connection (WebSocket tunnel); 0: none. */
  tunnelIdle: number;
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

export interface ResolvedProxyAction {
  kind: 'proxy';
  upstream: string;
  retryNonIdempotent: boolean;
  upgrades: string[];
}

export interface ResolvedStaticAction {
  kind: 'static';
  /** Absolute directory; with `alias`, the route's path prefix is replaced by it, else the path is appended. */
  directory: string;
  alias: boolean;
  index: string[];
  /** try_files entries ("$uri", "$uri/", "/index.html"); empty: just the path (and its index when a directory). */
  tryFiles: string[];
  /** Where requests no file answers go (an upstream, with the route's proxy settings); null: 404. */
  fallback: ResolvedProxyAction | null;
  /** Cache-Control max-age in seconds; 'max': one year and immutable; null: no Expires / Cache-Control. */
  expires: number | 'max' | null;
  precompressed: boolean;
  etag: boolean;
  /** Milliseconds a kept file is served without a stat of its path (NGINX open_file_cache_valid); 0: a stat per request. */
  openFileCacheValid: number;
}

/** What a route does with a request it matched: one of these, never several. */
export type ResolvedAction =
  | ResolvedProxyAction
  | { kind: 'redirect'; location: string; status: number }
  | ResolvedStaticAction;

export interface ResolvedCacheZone {
  name: string;
  /** Memory tier bound, bytes. */
  maxSize: number;
  /** Responses larger than this stream through uncached. */
  maxEntrySize: number;
  disk: { path: string; maxSize: number; inactive: number } | null;
}

export type StaleCondition = 'error' | 'timeout' | 'updating' | 'http_500' | 'http_502' | 'http_503' | 'http_504' | 'http_403' | 'http_404' | 'http_429';

export interface ResolvedRouteCache {
  zone: string;
  /** proxy_cache_key template source. */
  key: string;
  methods: ReadonlySet<string>;
  /** proxy_cache_valid: status -> ms, and the validity for any other status ('any'); null when not given. */
  valid: ReadonlyMap<number, number>;
  validAny: number | null;
  minUses: number;
  /** Lowercased header names (proxy_ignore_headers). */
  ignoreHeaders: ReadonlySet<string>;
  /** Template sources (proxy_cache_bypass / proxy_no_cache). */
  bypass: string[];
  noStore: string[];
  useStale: ReadonlySet<StaleCondition>;
  backgroundUpdate: boolean;
  lock: boolean;
  lockTimeout: number;
  revalidate: boolean;
}

export interface ResolvedCompress {
  /** Lowercased media types (no parameters). */
  types: ReadonlySet<string>;
  minLength: number;
  encodings: ('br' | 'gzip')[];
  gzipLevel: number;
  brotliLevel: number;
}

export interface ResolvedRoute {
  name: string;
  hosts: string[];
  path: string;
  pathRegex: RegExp | null;
  action: ResolvedAction;
  requestHeaders: ResolvedHeaderRules;
  responseHeaders: ResolvedHeaderRules;
  cache: ResolvedRouteCache | null;
  compress: ResolvedCompress | null;
}

export interface ResolvedConfig {
  listeners: ResolvedListener[];
  upstreams: Map<string, ResolvedUpstream>;
  routes: ResolvedRoute[];
  caches: Map<string, ResolvedCacheZone>;
  timeouts: ResolvedTimeouts;
  trustedProxies: string[];
  forwardedHeader: boolean;
  upstreamClient: 'auto' | 'native' | 'undici';
  /** null: no admin listener. */
  admin: ResolvedAdmin | null;
  /** null: no automatic certificates. */
  acme: ResolvedAcme | null;
  log: { level: 'debug' | 'info' | 'warn' | 'error' | 'silent' };
}

export interface ResolvedAdmin {
  host: string;
  port: number;
  /** null: no token configured (then only a loopback listener without requireToken is open). */
  token: string | null;
  requireToken: boolean;
}

export interface ResolvedAcme {
  hostnames: string[];
  email: string | null;
  directory: string;
  /** Absolute path. */
  storage: string;
  /** Absolute path, or null for the system's trust. */
  caFile: string | null;
  renewBefore: number;
  retryMin: number;
  retryMax: number;
  /** 'order': this proxy orders and writes storage; 'follow': it serves what storage holds, re-read every followInterval. */
  mode: 'order' | 'follow';
  followInterval: number;
}
