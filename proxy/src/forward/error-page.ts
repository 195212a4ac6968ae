// The small error body a client gets from the proxy itself: JSON when the client prefers it, else HTML.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';

export function sendError(req: IncomingMessage, res: ServerResponse, status: number, code: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const reason = STATUS_CODES[status] ?? 'Error';
  const json = prefersJson(req.headers.accept);
  const body = json
    ? `{"status":${status},"error":"${reason}","code":"${code}"}\n`
    : `<!doctype html><html><head><title>${status} ${reason}</title></head>` +
      `<body><h1>${status} ${reason}</h1><p>${code}</p><hr><p>portico</p></body></html>\n`;
  res.writeHead(status, {
    'content-type': json ? 'application/json' : 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function prefersJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const json = accept.indexOf('application/json');
  if (json === -1) return false;
  const html = accept.indexOf('text/html');
  return html === -1 || json < html;
}
