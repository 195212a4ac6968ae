// One active health check (NGINX Plus `health_check` + `match`): a request over a fresh connection
// (never the proxy's pool), judged by status ranges, header regexes and a body regex on the first
// 256 KiB. Every outcome, hostile answers included, ends in exactly one CheckResult; nothing throws.
import http, { type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders, type RequestOptions } from 'node:http';
import type { ResolvedHealthCheck, ResolvedServer } from '../../config/resolved';
import type { CheckResult } from '../server-state';

/** NGINX Plus matches a body regex against the first 256 KiB; we read no more than that. */
export const MAX_CHECK_BODY = 256 * 1024;

export const CHECK_USER_AGENT = 'portico-health-check';

/** The request options of a server's checks, built once per checker and reused for each check. */
export function probeOptions(check: ResolvedHealthCheck, server: ResolvedServer): RequestOptions {
  const headers: OutgoingHttpHeaders = { host: server.address, 'user-agent': CHECK_USER_AGENT, connection: 'close' };
  for (const [name, value] of check.headers) headers[name] = value;
  return { host: server.host, port: check.port ?? server.port, method: check.method, path: check.uri, headers, agent: false };
}

/**
 * Runs one check; `done` is called once, never synchronously. The returned request may be
 * destroyed to abandon the check (then `done` still runs, with a failure the caller may ignore).
 */
export function probe(options: RequestOptions, check: ResolvedHealthCheck, done: (result: CheckResult) => void): ClientRequest {
  const started = Date.now();
  let status: number | null = null;
  let finished = false;
  const finish = (ok: boolean, reason: string) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    req.destroy();
    const at = Date.now();
    done({ at, ok, status, reason, durationMs: at - started });
  };
  const req = http.request(options, (res) => {
    status = res.statusCode ?? null;
    res.on('error', () => finish(false, 'connection reset'));
    const failure = headFailure(res, check);
    if (failure !== '' || check.expectBody === null) finish(failure === '', failure);
    else readBody(res, check.expectBody, finish);
  });
  // One deadline for connect, head and body: a server that accepts and never answers fails.
  const timer = setTimeout(() => finish(false, `timeout after ${check.timeout}ms`), check.timeout);
  timer.unref();
  req.on('error', (err: NodeJS.ErrnoException) => finish(false, errorReason(err)));
  req.end();
  return req;
}

/** '' when the status and every expected header match; else why not. */
function headFailure(res: IncomingMessage, check: ResolvedHealthCheck): string {
  const status = res.statusCode ?? 0;
  if (!check.status.some(([from, to]) => status >= from && status <= to)) return `status ${status}`;
  for (const [name, pattern] of check.expectHeaders) {
    const value = res.headers[name];
    if (value === undefined) return `header ${name} missing`;
    if (!pattern.test(Array.isArray(value) ? value.join(', ') : value)) return `header ${name} does not match`;
  }
  return '';
}

/** Reads at most MAX_CHECK_BODY bytes (an endless body is cut there) and matches the regex. */
function readBody(res: IncomingMessage, pattern: RegExp, finish: (ok: boolean, reason: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const judge = () => {
    const ok = pattern.test(Buffer.concat(chunks, size).toString('utf8'));
    finish(ok, ok ? '' : 'body does not match');
  };
  res.on('data', (chunk: Buffer) => {
    const room = MAX_CHECK_BODY - size;
    if (room <= 0) return;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    chunks.push(kept);
    size += kept.length;
    if (size >= MAX_CHECK_BODY) judge();
  });
  res.on('end', judge);
}

function errorReason(err: NodeJS.ErrnoException): string {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET') return 'connection reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve host (${code})`;
  if (code.startsWith('HPE_')) return `bad HTTP response (${code})`;
  return err.message || code || 'check failed';
}
