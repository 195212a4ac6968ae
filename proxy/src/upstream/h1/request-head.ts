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

/** What the connection needs from a response head, found in one pass (a reused scratch object). */
export interface HeadFacts {
  /** Content-Length when the body can be read raw, else -1 (chunked, absent, several, malformed). */
  rawLength: number;
  /** The Keep-Alive header's value, or '' (parsed only when it changes: see keepAliveMs). */
  keepAlive: string;
}

const facts: HeadFacts = { rawLength: -1, keepAlive: '' };

export function inspectHead(headers: string[]): HeadFacts {
  let length = -1;
  let lengths = 0;
  let chunked = false;
  let keepAlive = '';
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i];
    switch (name.length) {
      case 14:
        if (name.toLowerCase() === 'content-length') {
          lengths++;
          length = digits(headers[i + 1]);
        }
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') chunked = true;
        break;
      case 10:
        if (name.toLowerCase() === 'keep-alive') keepAlive = headers[i + 1];
        break;
    }
  }
  facts.rawLength = chunked || lengths !== 1 ? -1 : length;
  facts.keepAlive = keepAlive;
  return facts;
}

/** Keep-Alive: timeout=N in ms, or -1. Node servers close idle sockets after 5 s by default. */
export function keepAliveMs(value: string): number {
  const m = /timeout=(\d+)/i.exec(value);
  return m ? Number(m[1]) * 1000 : -1;
}

/** A plain decimal of at most 15 digits, else -1. */
function digits(text: string): number {
  if (text.length === 0 || text.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}
