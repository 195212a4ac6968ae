// One class per failure the client can see, each with a stable code, and one map to a status.

export type ProxyErrorCode =
  | 'UPSTREAM_UNAVAILABLE' // no server could be picked
  | 'UPSTREAM_CONNECT_FAILED'
  | 'UPSTREAM_RESET'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_BAD_RESPONSE'
  | 'NO_ROUTE'
  | 'BAD_REQUEST'
  | 'FILE_READ_FAILED'; // a static file could not be read to its end (read error, or it shrank)

const STATUS: Record<ProxyErrorCode, number> = {
  UPSTREAM_UNAVAILABLE: 503,
  UPSTREAM_CONNECT_FAILED: 502,
  UPSTREAM_RESET: 502,
  UPSTREAM_BAD_RESPONSE: 502,
  UPSTREAM_TIMEOUT: 504,
  NO_ROUTE: 404,
  BAD_REQUEST: 400,
  FILE_READ_FAILED: 500,
};

/** What NGINX's proxy_next_upstream calls the failure: decides retries and passive health. */
export type FailureKind = 'error' | 'timeout';

export class ProxyError extends Error {
  readonly status: number;

  constructor(
    readonly code: ProxyErrorCode,
    message: string,
    readonly kind: FailureKind = 'error',
  ) {
    super(message);
    this.name = 'ProxyError';
    this.status = STATUS[code];
  }
}

const TIMEOUT_CODES = new Set(['UPSTREAM_CONNECT_TIMEOUT', 'UPSTREAM_HEADERS_TIMEOUT', 'UPSTREAM_BODY_TIMEOUT', 'UPSTREAM_SEND_TIMEOUT', 'ETIMEDOUT']);
const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Maps an upstream client or socket error to what the client is told. */
export function fromUpstreamError(err: Error & { code?: string }, server: string): ProxyError {
  const code = err.code ?? '';
  if (TIMEOUT_CODES.has(code)) {
    const what = code === 'UPSTREAM_CONNECT_TIMEOUT' ? 'connect' : code === 'UPSTREAM_BODY_TIMEOUT' ? 'read' : 'first byte';
    return new ProxyError('UPSTREAM_TIMEOUT', `upstream ${server} timed out (${what})`, 'timeout');
  }
  if (CONNECT_CODES.has(code)) return new ProxyError('UPSTREAM_CONNECT_FAILED', `cannot connect to ${server}: ${code}`);
  if (code === 'UPSTREAM_PROTOCOL') {
    return new ProxyError('UPSTREAM_BAD_RESPONSE', `invalid response from ${server}: ${err.message}`);
  }
  return new ProxyError('UPSTREAM_RESET', `upstream ${server} failed: ${code || err.message}`);
}
