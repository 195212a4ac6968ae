import type { UpstreamRequest } from './upstream-handler';

/**
 * The request line and headers as one latin1 string, written in one syscall. Values were checked
 * by node:http's parser on the way in (no CR/LF can reach here from a client); config-set values
 * are checked at config load.
 */
export function requestHead(req: UpstreamRequest, chunked: boolean): string {
  let head = `${req.method} ${req.path} HTTP/1.1\r\n`;
  const h = req.headers;
  for (let i = 0; i < h.length; i += 2) head += `${h[i]}: ${h[i + 1]}\r\n`;
  if (chunked) head += 'transfer-encoding: chunked\r\n';
  // The two hop-by-hop headers an upgrade must carry (RFC 9110 §7.8); the list arrives without them.
  if (req.upgrade !== null) head += `connection: upgrade\r\nupgrade: ${req.upgrade}\r\n`;
  return `${head}\r\n`;
}

export function hasContentLength(headers: string[]): boolean {
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i];
    if (name.length === 14 && name.toLowerCase() === 'content-length') return true;
  }
  return false;
}
