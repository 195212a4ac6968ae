// The response to a RawRequest, written by hand on the connection's socket. It checks what it is
// given as node:http's ServerResponse does (and throws the same errors: the proxy's error pages
// rely on a refused header throwing), then frames the body: Content-Length when the head names
// one, else chunked for HTTP/1.1 and the connection's close for HTTP/1.0; no body for HEAD, 1xx,
// 204 and 304. The head is held until the first body write so a small answer leaves in one write.
// Events: 'finish' (all of it handed to the kernel), 'drain', 'close' (after finish, or the client
// went away first), as node's.
import { EventEmitter } from 'node:events';
import { STATUS_CODES, validateHeaderName, validateHeaderValue, type OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { H1Response } from './h1-exchange';
import { httpDate } from './http-date';

/** Head and body up to this size are joined into one buffer (one write, one packet). */
const JOIN_LIMIT = 16 * 1024;
const CHUNKED_END = Buffer.from('0\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');

/** The connection a response is written on. */
export interface ResponseWriter {
  readonly socket: Socket;
  /** The server is shutting down: a head written now says Connection: close (the connection closes after it). */
  readonly closing?: boolean;
  /** Writes the last bytes of `response`; the connection calls `response.flushed()` once they left. */
  writeLast(response: RawResponse, data: Buffer): void;
}

export class RawResponse extends EventEmitter implements H1Response {
  statusCode = 200;
  headersSent = false;
  writableEnded = false;
  writableFinished = false;
  writableCorked = 0;
  /** Keep the connection open after this answer; the head's framing or a Connection: close may clear it. */
  shouldKeepAlive: boolean;
  /** The head, held as latin1 text until the first body write joins it to the body in one buffer. */
  private head: string | null = null;
  private chunked = false;
  private hasBody: boolean;
  private gone = false;
  /** A write returned false: 'drain' is owed. */
  private owesDrain = false;

  constructor(
    private readonly writer: ResponseWriter,
    private readonly http10: boolean,
    headRequest: boolean,
    keepAlive: boolean,
  ) {
    super();
    this.hasBody = !headRequest;
    this.shouldKeepAlive = keepAlive;
  }

  get socket(): Socket | null {
    return this.gone || this.writableFinished ? null : this.writer.socket;
  }

  writeHead(status: number, reasonOrHeaders?: string | OutgoingHttpHeaders | string[], maybeHeaders?: OutgoingHttpHeaders | string[]): this {
    if (this.headersSent) throw codeError(new Error('Cannot write headers after they are sent to the client'), 'ERR_HTTP_HEADERS_SENT');
    status |= 0;
    if (status < 100 || status > 999) throw codeError(new RangeError(`Invalid status code: ${status}`), 'ERR_HTTP_INVALID_STATUS_CODE');
    const reason = typeof reasonOrHeaders === 'string' ? reasonOrHeaders : (STATUS_CODES[status] ?? 'unknown');
    const headers = typeof reasonOrHeaders === 'string' ? maybeHeaders : reasonOrHeaders;
    if (!validText(reason)) throw codeError(new TypeError('Invalid character in statusMessage'), 'ERR_INVALID_CHAR');
    const found = new Found();
    let text = `HTTP/1.1 ${status} ${reason}\r\n`;
    if (Array.isArray(headers)) {
      if (headers.length % 2 !== 0) throw codeError(new TypeError('The argument "headers" is invalid'), 'ERR_INVALID_ARG_VALUE');
      for (let i = 0; i < headers.length; i += 2) text += headerLine(headers[i], headers[i + 1], found);
    } else if (headers !== undefined) {
      for (const name of Object.keys(headers)) {
        const value = headers[name];
        if (Array.isArray(value)) for (const v of value) text += headerLine(name, v, found);
        else if (value !== undefined) text += headerLine(name, value, found);
      }
    }
    this.statusCode = status;
    if (status === 204 || status === 304 || status < 200) this.hasBody = false;
    if (found.chunked) this.chunked = this.hasBody;
    else if (found.length || !this.hasBody) {
      // framed by Content-Length, or no body at all
    } else if (this.http10) this.shouldKeepAlive = false; // delimited by closing the connection
    else {
      text += 'Transfer-Encoding: chunked\r\n';
      this.chunked = true;
    }
    // As node: an HTTP/1.0 answer without a length cannot keep the connection.
    if (this.http10 && !found.length) this.shouldKeepAlive = false;
    if (this.writer.closing === true) this.shouldKeepAlive = false; // shutdown began while this was being answered
    if (found.close) this.shouldKeepAlive = false;
    else if (!found.connection) text += this.shouldKeepAlive ? 'Connection: keep-alive\r\n' : 'Connection: close\r\n';
    if (!found.date) text += `Date: ${httpDate()}\r\n`;
    this.head = `${text}\r\n`;
    this.headersSent = true;
    return this;
  }

  write(chunk: Buffer | string): boolean {
    if (this.writableEnded || this.gone) return true;
    if (!this.headersSent) this.writeHead(this.statusCode);
    const body = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (!this.hasBody || body.length === 0) return this.flushHead();
    const socket = this.writer.socket;
    const head = this.takeHead();
    let ok: boolean;
    if (this.chunked) {
      const size = Buffer.from(`${body.length.toString(16)}\r\n`, 'latin1');
      if (body.length <= JOIN_LIMIT) ok = socket.write(head === null ? Buffer.concat([size, body, CRLF]) : Buffer.concat([latin1(head), size, body, CRLF]));
      else {
        socket.cork();
        if (head !== null) socket.write(head, 'latin1');
        socket.write(size);
        socket.write(body);
        ok = socket.write(CRLF);
        socket.uncork();
      }
    } else if (head !== null && body.length <= JOIN_LIMIT) ok = socket.write(joined(head, body));
    else {
      if (head !== null) socket.write(head, 'latin1');
      ok = socket.write(body);
    }
    if (!ok) this.owesDrain = true;
    return ok;
  }

  end(chunk?: Buffer | string): this {
    if (this.writableEnded || this.gone) return this;
    if (!this.headersSent) this.writeHead(this.statusCode);
    this.writableEnded = true;
    const body = chunk === undefined || !this.hasBody ? null : typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const head = this.takeHead();
    let last: Buffer;
    if (body === null || body.length === 0) last = this.chunked ? (head === null ? CHUNKED_END : joined(head, CHUNKED_END)) : head === null ? EMPTY : latin1(head);
    else if (this.chunked) {
      const size = Buffer.from(`${body.length.toString(16)}\r\n`, 'latin1');
      last = head === null ? Buffer.concat([size, body, CRLF, CHUNKED_END]) : Buffer.concat([latin1(head), size, body, CRLF, CHUNKED_END]);
    } else if (head === null) last = body;
    else if (body.length + head.length <= JOIN_LIMIT) last = joined(head, body);
    else {
      this.writer.socket.write(head, 'latin1');
      last = body;
    }
    this.writer.writeLast(this, last);
    const socket = this.writer.socket;
    for (; this.writableCorked > 0; this.writableCorked--) socket.uncork();
    return this;
  }

  cork(): void {
    if (this.writableEnded || this.gone) return;
    this.writableCorked++;
    this.writer.socket.cork();
  }

  /**
   * Cuts the connection, unless the answer was already written whole: then it is the connection's
   * to finish (it may belong to the next request by now, or carry an error page still flushing).
   */
  destroy(): this {
    if (!this.writableEnded && !this.gone) this.writer.socket.destroy();
    return this;
  }

  // ---- from the connection ----

  /** The last write left: 'finish', then 'close' (as node, on the next tick). */
  flushed(): void {
    this.writableFinished = true;
    this.emit('finish');
    if (this.listenerCount('close') > 0) process.nextTick(emitClose, this);
  }

  /** The client went away before the answer left whole. */
  closedEarly(): void {
    if (this.gone || this.writableFinished) return;
    this.gone = true;
    this.emit('close');
  }

  socketDrained(): void {
    if (!this.owesDrain) return;
    this.owesDrain = false;
    this.emit('drain');
  }

  private takeHead(): string | null {
    const head = this.head;
    this.head = null;
    return head;
  }

  private flushHead(): boolean {
    const head = this.takeHead();
    if (head === null) return true;
    const ok = this.writer.socket.write(head, 'latin1');
    if (!ok) this.owesDrain = true;
    return ok;
  }
}

function latin1(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** `head` (latin1) then `body`, in one buffer: one allocation and one copy of the body. */
function joined(head: string, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(head.length + body.length);
  out.write(head, 0, 'latin1');
  body.copy(out, head.length);
  return out;
}

const EMPTY = Buffer.alloc(0);

/** What a head names that decides its framing. */
class Found {
  length = false;
  chunked = false;
  connection = false;
  close = false;
  date = false;
}

function headerLine(name: string, value: unknown, found: Found): string {
  validateHeaderName(name);
  validateHeaderValue(name, value as string);
  const text = String(value);
  switch (name.length) {
    case 4:
      if (name.toLowerCase() === 'date') found.date = true;
      break;
    case 10:
      if (name.toLowerCase() === 'connection') {
        found.connection = true;
        if (/(?:^|,)\s*close\s*(?:,|$)/i.test(text)) found.close = true;
      }
      break;
    case 14:
      if (name.toLowerCase() === 'content-length') found.length = true;
      break;
    case 17:
      if (name.toLowerCase() === 'transfer-encoding' && /(?:^|,)\s*chunked\s*$/i.test(text)) found.chunked = true;
      break;
  }
  return `${name}: ${text}\r\n`;
}

/** node's checkInvalidHeaderChar: only tab, visible ASCII and obs-text. */
function validText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127 || c > 255) return false;
  }
  return true;
}

function codeError<T extends Error>(error: T, code: string): T {
  (error as T & { code: string }).code = code;
  return error;
}

function emitClose(response: RawResponse): void {
  response.emit('close');
}
