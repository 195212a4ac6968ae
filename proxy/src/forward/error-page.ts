// The answers the proxy writes itself: a small error body (JSON when the client prefers it, else
// HTML) and redirects. No client input can make these throw: values are checked, writes guarded.
import type { H1Request, H1Response } from '../server/h1/h1-exchange';
import { STATUS_CODES } from 'node:http';
import type { Downstream } from '../downstream/downstream';
import { isValidHeaderValue } from './header-rules';

export function sendError(req: H1Request, res: H1Response, status: number, code: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const reason = STATUS_CODES[status] ?? 'Error';
  const { contentType, body } = errorPage(status, code, req.headers.accept);
  try {
    // The reason is passed explicitly: a writeHead that threw earlier left its own statusMessage
    // behind ("502 OK").
    res.writeHead(status, reason, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
  } catch {
    res.destroy();
    return;
  }
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** The error body for a client that accepts `accept`: JSON when it prefers it, else HTML. */
export function errorPage(status: number, code: string, accept: string | undefined): { contentType: string; body: string } {
  const reason = STATUS_CODES[status] ?? 'Error';
  if (prefersJson(accept)) return { contentType: 'application/json', body: `{"status":${status},"error":"${reason}","code":"${code}"}\n` };
  return {
    contentType: 'text/html; charset=utf-8',
    body: `<!doctype html><html><head><title>${status} ${reason}</title></head><body><h1>${status} ${reason}</h1><p>${code}</p><hr><p>portico</p></body></html>\n`,
  };
}

/**
 * A redirect to `location` on any Downstream; a location that is not a valid header value (client
 * input in a template) gets 400, never a split head, and the head write is guarded.
 */
export function sendRedirect(ds: Downstream, status: number, location: string): void {
  if (!isValidHeaderValue(location)) {
    ds.fail(400, 'BAD_REQUEST');
    return;
  }
  try {
    ds.writeHead(status, ['location', location, 'content-length', '0']);
  } catch {
    ds.fail(400, 'BAD_REQUEST');
    return;
  }
  ds.end(null, false);
}

function prefersJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const json = accept.indexOf('application/json');
  if (json === -1) return false;
  const html = accept.indexOf('text/html');
  return html === -1 || json < html;
}
