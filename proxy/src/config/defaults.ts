// Every default of the proxy config in one place. NGINX's value is named where we mirror it.

export const DEFAULT_LISTEN_HOST = '0.0.0.0';

export const DEFAULT_TIMEOUTS = {
  /** proxy_connect_timeout is 60s in NGINX; a Node app that does not accept within 5s is down. */
  connect: 5_000,
  /** proxy_read_timeout (first byte): 60s. */
  firstByte: 60_000,
  /** proxy_read_timeout (between two reads of the upstream body): 60s. */
  upstreamIdle: 60_000,
  /** send_timeout: 60s between two successful writes to the client. */
  clientSend: 60_000,
  /** client_header_timeout: 60s to receive the request head. */
  clientHeader: 60_000,
  /** client_body_timeout: 60s between two reads of the client body. */
  clientBody: 60_000,
  /** keepalive_timeout: 75s for an idle client connection. */
  clientKeepAlive: 75_000,
  /**
   * proxy_read_timeout for an upgraded connection (NGINX uses the same 60s): no byte either way for
   * this long closes a WebSocket tunnel. 120s: well above Socket.IO's 25s ping + 20s timeout.
   */
  tunnelIdle: 120_000,
} as const;

/** max_fails=1 fail_timeout=10s, as NGINX. */
export const DEFAULT_MAX_FAILS = 1;
export const DEFAULT_FAIL_TIMEOUT = 10_000;
export const DEFAULT_WEIGHT = 1;
/**
 * The largest server weight (HAProxy's bound). Weights are summed by round robin and multiply the
 * points of a consistent-hash ring (160 per unit): 1e308 broke round robin (Infinity - Infinity) and
 * a million hung the proxy building the ring. Ratios never need more.
 */
export const MAX_WEIGHT = 256;

/** proxy_next_upstream error timeout; proxy_next_upstream_tries 0 (no limit); _timeout 0 (no limit). */
export const DEFAULT_RETRY_ON = ['error', 'timeout'] as const;
export const DEFAULT_RETRY_TRIES = 0;
export const DEFAULT_RETRY_TIMEOUT = 0;

/** How long an idle upstream connection is kept (less when the server announces Keep-Alive: timeout=N). */
export const DEFAULT_KEEPALIVE_TIMEOUT = 60_000;
/** Idle upstream connections kept per server (NGINX `keepalive 32` is the usual advice, per worker). */
export const DEFAULT_KEEPALIVE_CONNECTIONS = 64;

/** Upgrade protocols a proxy route passes on unless it names others (h2c and the like are refused). */
export const DEFAULT_UPGRADES = ['websocket'] as const;

export const DEFAULT_BALANCE = 'round-robin' as const;
export const DEFAULT_REDIRECT_STATUS = 302;

/** Sticky cookie name when none is given (NGINX requires one; a fixed default keeps configs short). */
export const DEFAULT_STICKY_COOKIE = 'portico_server';
/** sticky learn: NGINX's timeout=10m, and a bound table. */
export const DEFAULT_LEARN_TIMEOUT = 10 * 60_000;
export const DEFAULT_LEARN_MAX_ENTRIES = 100_000;
/** NGINX's expires=max: the cookie lives until 2037; as Max-Age, about 10 years. */
export const STICKY_EXPIRES_MAX_SECONDS = 10 * 365 * 24 * 3600;

/** health_check: interval=5s fails=1 passes=1 uri=/, as NGINX Plus; a check answer within 2s. */
export const DEFAULT_HEALTH_CHECK = {
  interval: 5_000,
  jitter: 0,
  timeout: 2_000,
  fails: 1,
  passes: 1,
  uri: '/',
  method: 'GET',
  status: ['200-399'],
} as const;

/** Tunnels on a draining server close (1001 Going Away) after this (kamal-proxy's drain timeout is 30s). */
export const DEFAULT_DRAIN_TIMEOUT = 30_000;

/** The admin listener: loopback only unless configured otherwise (Envoy's admin port). */
export const DEFAULT_ADMIN_LISTEN = '127.0.0.1:9901';

/** Cache zones: a 64 MiB memory tier, 8 MiB per entry; disk 1 GiB, entries unused for 10 min removed (NGINX inactive=10m). */
export const DEFAULT_CACHE_MAX_SIZE = 64 * 1024 ** 2;
export const DEFAULT_CACHE_MAX_ENTRY_SIZE = 8 * 1024 ** 2;
export const DEFAULT_CACHE_DISK_MAX_SIZE = 1024 ** 3;
export const DEFAULT_CACHE_INACTIVE = 10 * 60_000;
/** proxy_cache_key's default uses $proxy_host; the client's host keeps virtual hosts apart. */
export const DEFAULT_CACHE_KEY = '$scheme$host$request_uri';
/** proxy_cache_valid with no codes: 200, 301, 302. */
export const DEFAULT_CACHE_VALID_STATUSES = [200, 301, 302] as const;
/** proxy_cache_lock_timeout 5s. */
export const DEFAULT_CACHE_LOCK_TIMEOUT = 5_000;

/** expires max: one year (RFC 9111 suggests no more), with immutable. */
export const EXPIRES_MAX_SECONDS = 365 * 24 * 3600;

/** Compressed unless listed otherwise: text, scripts, data and SVG. */
export const DEFAULT_COMPRESS_TYPES = [
  'text/html',
  'text/css',
  'text/plain',
  'text/xml',
  'text/javascript',
  'text/markdown',
  'text/csv',
  'application/javascript',
  'application/json',
  'application/manifest+json',
  'application/xml',
  'application/rss+xml',
  'application/atom+xml',
  'application/wasm',
  'image/svg+xml',
] as const;
export const DEFAULT_COMPRESS_MIN_LENGTH = 1024;
export const DEFAULT_GZIP_LEVEL = 6;
/** Brotli 4 compresses about as well as gzip 6 at a similar speed; 11 is for precompressed files. */
export const DEFAULT_BROTLI_LEVEL = 4;

/** ACME: Let's Encrypt; renew 30 days before expiry (its advice for 90-day certificates); retries from 1 min doubling to 1 day. */
export const DEFAULT_ACME_DIRECTORY = 'https://acme-v02.api.letsencrypt.org/directory';
export const DEFAULT_ACME_RENEW_BEFORE = 30 * 24 * 3_600_000;
export const DEFAULT_ACME_RETRY_MIN = 60_000;
export const DEFAULT_ACME_RETRY_MAX = 24 * 3_600_000;
/** acme.mode follow: storage re-read every minute (the AWS proxies sync it from S3 about as often). */
export const DEFAULT_ACME_FOLLOW_INTERVAL = 60_000;

/** HSTS max-age when not given: one year (what hstspreload.org asks for). */
export const DEFAULT_HSTS_MAX_AGE_SECONDS = 365 * 24 * 3600;
/** NGINX http2_max_concurrent_streams 128. */
export const DEFAULT_H2_MAX_CONCURRENT_STREAMS = 128;
/** HTTP/2 header list bound: twice the 16 KiB HTTP/1.1 head limit (HPACK adds 32 bytes a field). */
export const DEFAULT_H2_MAX_HEADER_LIST_SIZE = 32 * 1024;
/** The port redirectToHttps: true sends clients to. */
export const DEFAULT_HTTPS_PORT = 443;

/**
 * Static files: how long a file already opened is served without a stat of its path (NGINX
 * open_file_cache_valid, 60s when enabled there). One second: a deploy is seen almost at once,
 * and a busy file costs a stat a second instead of one per request.
 */
export const OPEN_FILE_CACHE_VALID_MS = 1_000;
