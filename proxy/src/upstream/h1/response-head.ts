// What the upstream connection reads from a response head, beyond what llhttp tells it.

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

/**
 * Whether a 101's Upgrade header names the protocol asked for (RFC 9110 §7.8: tokens compare
 * case-insensitively; a server answers with the one protocol it switched to).
 */
export function upgradeMatches(headers: string[], wanted: string): boolean {
  const token = wanted.trim().toLowerCase();
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i];
    if (name.length === 7 && name.toLowerCase() === 'upgrade') {
      for (const offered of headers[i + 1].split(',')) if (offered.trim().toLowerCase() === token) return true;
    }
  }
  return false;
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
