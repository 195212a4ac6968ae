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
  return `${head}\r\n`;
}

export function hasContentLength(headers: string[]): boolean {
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i];
    if (name.length === 14 && name.toLowerCase() === 'content-length') return true;
  }
  return false;
}

/** Keep-Alive: timeout=N from a response, in ms, or -1. Node servers close idle sockets after 5 s. */
export function keepAliveHint(headers: string[]): number {
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i];
    if (name.length === 10 && name.toLowerCase() === 'keep-alive') {
      const m = /timeout=(\d+)/i.exec(headers[i + 1]);
      return m ? Number(m[1]) * 1000 : -1;
    }
  }
  return -1;
}

/**
 * The Content-Length of a response the connection can read raw, or -1 when the parser must
 * (chunked, no length, several or malformed lengths: llhttp then decides, or rejects).
 */
export function rawBodyLength(headers: string[]): number {
  let length = -1;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i];
    if (name.length === 14 && name.toLowerCase() === 'content-length') {
      if (length !== -1 || !/^\d{1,15}$/.test(headers[i + 1])) return -1;
      length = Number(headers[i + 1]);
    } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
      return -1;
    }
  }
  return length;
}
