// The HTTP edges of the admin API: JSON answers with security headers, errors with a status, the
// Host check (DNS rebinding), and request bodies read with a cap.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConfigIssue } from '../config/config-error';
import { isLoopback } from './admin-auth';

/** Request bodies above this are refused (413): a server entry or a patch is a few hundred bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/** On every answer: no sniffing, no framing, no referrer, no caching of status or secrets. */
const SECURITY_HEADERS: [string, string][] = [
  ['x-content-type-options', 'nosniff'],
  ['x-frame-options', 'DENY'],
  ['referrer-policy', 'no-referrer'],
  ['cache-control', 'no-store'],
];
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** An answer other than 2xx, with a message and (for a bad change) the fields at fault. */
export class AdminHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: ConfigIssue[] = [],
    readonly headers: [string, string][] = [],
  ) {
    super(message);
  }
}

export function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer, headers: [string, string][] = []): void {
  if (res.headersSent) return;
  for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
  if (!headers.some(([name]) => name === 'content-security-policy')) res.setHeader('content-security-policy', API_CSP);
  for (const [name, value] of headers) res.setHeader(name, value);
  res.setHeader('content-type', contentType);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.writeHead(status);
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: [string, string][] = []): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value), headers);
}

export function sendError(res: ServerResponse, err: AdminHttpError): void {
  const body = err.issues.length ? { error: err.message, issues: err.issues } : { error: err.message };
  sendJson(res, err.status, body, err.headers);
}

/**
 * DNS rebinding: a page of evil.example whose name now points at 127.0.0.1 would reach a loopback
 * admin port with `Host: evil.example`. A loopback listener answers only to loopback names (off
 * loopback a token is always required, so the Host proves nothing there).
 */
export function hostAllowed(host: string | undefined, listenHost: string): boolean {
  if (!isLoopback(listenHost)) return true;
  if (host === undefined) return false;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::\d{1,5})?$/.exec(host);
  if (m === null) return false;
  const name = m[1].replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return name === 'localhost' || name === listenHost.toLowerCase() || isLoopback(name);
}

/** application/json (any parameters): a cross-site form cannot send it without a CORS preflight, which is never allowed. */
export function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/json *(;|$)/i.test(contentType.trim());
}

/** Reads and parses a JSON body of at most MAX_BODY_BYTES. */
export function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.off('data', onData);
        req.resume(); // the rest is discarded; the answer closes the connection
        reject(tooLarge());
      } else chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('error', reject);
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return reject(new AdminHttpError(400, 'expected a JSON body'));
      try {
        resolve(JSON.parse(text));
      } catch (err) {
        reject(new AdminHttpError(400, `invalid JSON: ${(err as Error).message}`));
      }
    });
  });
}

function tooLarge(): AdminHttpError {
  return new AdminHttpError(413, `request body larger than ${MAX_BODY_BYTES} bytes`, [], [['connection', 'close']]);
}
