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

export interface ResolvedUpstream {
  name: string;
  servers: ResolvedServer[];
  balance: BalanceMethodName;
  hashKey: string;
  consistent: boolean;
  retry: ResolvedRetry;
  keepalive: { timeout: number; connections: number };
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
  log: { level: 'debug' | 'info' | 'warn' | 'error' | 'silent' };
}
