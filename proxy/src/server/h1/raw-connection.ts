// One client connection of the native HTTP/1.1 server: llhttp (node's own parser, through
// native-parser.ts) reads requests; they are answered one at a time, in order. A request whose
// head arrives while an earlier one is still being answered waits, and the socket is not read
// meanwhile (a pipelining client waits on TCP instead of filling memory); the next answer starts
// once the previous one left whole, on a fresh tick (no recursion however many are pipelined).
// What cannot be parsed is refused (400, 431 for a head over the limit, 408 for a head too slow),
// behind the whole requests before it; a malformed body of the request being answered abandons
// that answer. A client's FIN means it is gone (node:http without httpAllowHalfOpen does the same).
import type { Socket } from 'node:net';
import { hasRawHeader, rawHeader } from '../../net/raw-headers';
import { closeParser, createRequestParser, nativeMethodNames, type NativeParser } from '../../upstream/h1/native-parser';
import { RawRequest, type BodyReader } from './raw-request';
import { RawResponse, type ResponseWriter } from './raw-response';

export interface RawHandlers {
  request(req: RawRequest, res: RawResponse): void;
  /** The socket is the handler's from now on; `head`: bytes read past the request's head. */
  upgrade(req: RawRequest, socket: Socket, head: Buffer): void;
}

/** The set of connections a connection belongs to (raw-connections.ts). */
export interface ConnectionOwner {
  readonly handlers: RawHandlers;
  readonly maxHeadBytes: number;
  /** Shutting down: answers close their connection. */
  readonly closing: boolean;
  connectionClosed(connection: RawConnection): void;
}

/** A request read, waiting for its turn or being answered. */
interface Exchange {
  request: RawRequest | null;
  keepAlive: boolean;
  upgrade: boolean;
  /** Bytes after an upgrade request's head. */
  upgradeHead: Buffer | null;
  expectContinue: boolean;
  /** Answered with this raw refusal, then the connection closes. */
  refusal: string | null;
}

const REFUSALS: Record<number, string> = {
  400: 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n',
  408: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n',
  417: 'HTTP/1.1 417 Expectation Failed\r\nConnection: close\r\n\r\n',
  431: 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n',
};
const CONTINUE_EXPECTATION = /(?:^|\W)100-continue(?:$|\W)/i;
const CONTINUE = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');

export class RawConnection implements BodyReader, ResponseWriter {
  /**
   * When the head being read began (ms); 0: none is being read, or the socket is not read now. A
   * new connection's first head starts at the accept (as node:http and NGINX's
   * client_header_timeout): one that never sends a byte is timed out too.
   */
  headStartedAt = Date.now();
  private parser: NativeParser | null;
  private readonly methods: readonly string[];
  private readonly queue: Exchange[] = [];
  /** The answer being written (for queue[0]). */
  private response: RawResponse | null = null;
  /** The request whose body the parser is reading. */
  private parsing: RawRequest | null = null;
  private partialHeaders: string[] | null = null;
  private partialUrl = '';
  private inHead = false;
  /** Nothing more is parsed: a refusal, an upgrade or CONNECT ended the stream of requests. */
  private stopped = false;
  private reading = true;
  private closed = false;
  private handedOver = false;
  private executing = false;
  private startScheduled = false;

  constructor(
    readonly socket: Socket,
    private readonly owner: ConnectionOwner,
  ) {
    this.methods = nativeMethodNames() ?? [];
    this.parser = createRequestParser(
      {
        onMessageBegin: this.onMessageBegin,
        onHeaders: this.onHeaders,
        onHeadersComplete: this.onHeadersComplete,
        onBody: this.onBody,
        onMessageComplete: this.onMessageComplete,
      },
      owner.maxHeadBytes,
    );
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('drain', this.onDrain);
    socket.on('error', onSocketError);
    socket.on('close', this.onClose);
  }

  /** Shutting down: the answer being written closes the connection (ResponseWriter). */
  get closing(): boolean {
    return this.owner.closing;
  }

  /** Whether the connection is between requests (nothing read, nothing being answered). */
  get idle(): boolean {
    return this.queue.length === 0 && !this.inHead;
  }

  /** The head being read took too long: 408, behind what is being answered. */
  headTimedOut(): void {
    this.headStartedAt = 0;
    this.refuse(408);
  }

  destroy(): void {
    this.socket.destroy();
  }

  // ---- parser callbacks (arrow properties: llhttp calls them without `this`) ----

  private readonly onMessageBegin = (): void => {
    this.inHead = true;
    this.partialHeaders = null; // a head starts with nothing (belt and braces: see onMessageComplete)
    this.partialUrl = '';
    if (this.reading) this.headStartedAt = Date.now();
  };

  private readonly onHeaders = (headers: string[], url: string): void => {
    this.partialHeaders = this.partialHeaders === null ? headers : this.partialHeaders.concat(headers);
    this.partialUrl += url;
  };

  private readonly onHeadersComplete = (
    major: number,
    minor: number,
    headers: string[] | undefined,
    method: number | undefined,
    url: string | undefined,
    _status: number,
    _message: string,
    upgrade: boolean,
    keepAlive: boolean,
  ): number => {
    this.inHead = false;
    this.headStartedAt = 0;
    if (this.stopped) return 1;
    const raw = this.partialHeaders === null ? (headers ?? []) : headers === undefined ? this.partialHeaders : this.partialHeaders.concat(headers);
    const target = this.partialHeaders === null && this.partialUrl === '' ? (url ?? '') : this.partialUrl + (url ?? '');
    this.partialHeaders = null;
    this.partialUrl = '';
    const name = method === undefined ? undefined : this.methods[method];
    if (name === undefined || name === 'CONNECT') {
      // node:http without a 'connect' listener destroys the socket; a reverse proxy tunnels nothing.
      this.stopped = true;
      this.socket.destroy();
      return 1;
    }
    const request = new RawRequest(this, this.socket, name, target, major, minor, raw);
    const exchange: Exchange = { request, keepAlive, upgrade, upgradeHead: null, expectContinue: false, refusal: null };
    if (major === 1 && minor === 1 && !hasRawHeader(raw, 'host')) exchange.refusal = REFUSALS[400]; // RFC 9112 §3.2
    else {
      // As node:http: only HTTP/1.1 requests' Expect is looked at (read from the raw list: building
      // the headers object for every request only for this cost a cache hit about 1 µs).
      const expect = major === 1 && minor === 1 && hasRawHeader(raw, 'expect') ? rawHeader(raw, 'expect') : undefined;
      if (expect !== undefined) {
        if (CONTINUE_EXPECTATION.test(expect)) exchange.expectContinue = true;
        else exchange.refusal = REFUSALS[417];
      }
    }
    if (exchange.refusal !== null) {
      this.stopped = true;
      exchange.request = null;
    } else this.parsing = request;
    this.queue.push(exchange);
    if (this.queue.length === 1) this.start();
    // 2, as node:http: an upgrade has no body for llhttp to read (nobody would read it: a body
    // over MAX_UNPIPED_BODY, or a malformed one, left the request unanswered); what follows its
    // head is the upgrade's `head`, and the handler refuses an upgrade that declares a body.
    return upgrade && exchange.refusal === null ? 2 : 0;
  };

  private readonly onBody = (chunk: Buffer): void => {
    this.parsing?.pushBody(chunk);
  };

  private readonly onMessageComplete = (): void => {
    // node's binding flushes a chunked body's trailer fields through onHeaders (with the URL it
    // still holds) just before this: they are not a head, and kept they would be prepended to the
    // next request's fields and target. Trailers are not forwarded (node:http's req.trailers
    // neither): dropped.
    this.partialHeaders = null;
    this.partialUrl = '';
    const request = this.parsing;
    this.parsing = null;
    request?.endBody();
  };

  // ---- socket events ----

  private readonly onData = (data: Buffer): void => {
    const parser = this.parser;
    if (parser === null || this.stopped) return;
    this.executing = true;
    let result: ReturnType<NativeParser['execute']>;
    try {
      result = parser.execute(data);
    } finally {
      this.executing = false;
    }
    if (typeof result !== 'number') this.parseFailed(result.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400);
    else {
      const last = this.queue.length > 0 ? this.queue[this.queue.length - 1] : null;
      if (last !== null && last.upgrade && last.upgradeHead === null && last.request !== null && last.request.complete) {
        // llhttp stops after an upgrade request's head: what follows is the new protocol's.
        last.upgradeHead = data.subarray(result);
        this.stopped = true;
        if (this.queue.length === 1 && this.response === null) this.handOver(last);
      }
    }
    this.updateReading();
  };

  private readonly onEnd = (): void => {
    if (this.handedOver) return;
    this.stopped = true;
    if (this.queue.length === 0) this.socket.end();
    // An answer written whole leaves, then the connection closes.
    else if (this.queue.length === 1 && this.response !== null && this.response.writableEnded) this.queue[0].keepAlive = false;
    else this.socket.destroy(); // the client is gone: what it asked is abandoned, an answer in flight is cut
  };

  private readonly onDrain = (): void => {
    this.response?.socketDrained();
    this.updateReading();
  };

  private readonly onClose = (): void => {
    this.closed = true;
    this.headStartedAt = 0;
    if (!this.handedOver) {
      this.response?.closedEarly();
      for (const exchange of this.queue) exchange.request?.failBody();
      this.queue.length = 0;
      this.freeParser();
    }
    this.owner.connectionClosed(this);
  };

  // ---- answering ----

  /** Starts answering queue[0]. */
  private start(): void {
    const exchange = this.queue[0];
    if (exchange.refusal !== null) {
      this.reading = false;
      this.socket.end(exchange.refusal, destroySocket.bind(null, this.socket));
      return;
    }
    if (exchange.upgrade) {
      if (exchange.upgradeHead !== null) this.handOver(exchange); // else: once execute returns
      return;
    }
    const request = exchange.request!;
    const response = new RawResponse(this, request.httpVersionMinor === 0 && request.httpVersionMajor === 1, request.method === 'HEAD', exchange.keepAlive && !this.owner.closing);
    this.response = response;
    if (exchange.expectContinue) this.socket.write(CONTINUE);
    this.owner.handlers.request(request, response);
  }

  writeLast(response: RawResponse, data: Buffer): void {
    if (response !== this.response || this.closed) return;
    this.socket.write(data, this.onLastWritten);
  }

  private readonly onLastWritten = (error?: Error | null): void => {
    const response = this.response;
    if (error || response === null || this.closed) return;
    const exchange = this.queue.shift()!;
    this.response = null;
    response.flushed();
    if (!response.shouldKeepAlive || !exchange.keepAlive || this.owner.closing) {
      this.stopped = true;
      this.reading = false;
      this.socket.end(destroySocket.bind(null, this.socket));
      return;
    }
    const request = exchange.request!;
    if (!request.complete) request.resume(); // the rest of an unread body is read and dropped
    if (this.queue.length > 0 && !this.startScheduled) {
      this.startScheduled = true;
      process.nextTick(startNext, this);
    }
    this.updateReading();
  };

  /** @internal (startNext) */
  startQueued(): void {
    this.startScheduled = false;
    if (!this.closed && this.response === null && this.queue.length > 0) this.start();
    this.updateReading();
  }

  private handOver(exchange: Exchange): void {
    this.handedOver = true;
    this.queue.length = 0;
    const socket = this.socket;
    socket.off('data', this.onData);
    socket.off('end', this.onEnd);
    socket.off('drain', this.onDrain);
    socket.off('error', onSocketError);
    socket.off('close', this.onClose);
    this.freeParser();
    this.owner.connectionClosed(this);
    // As node:http at its hand-over: the next 'data' listener starts the flow again.
    socket.pause();
    (socket as { readableFlowing: boolean | null }).readableFlowing = null;
    this.owner.handlers.upgrade(exchange.request!, socket, exchange.upgradeHead ?? Buffer.alloc(0));
  }

  // ---- refusals ----

  private parseFailed(status: number): void {
    const request = this.parsing;
    this.parsing = null;
    if (request === null) {
      this.refuse(status); // a head: refused behind the requests before it
      return;
    }
    // A malformed body: that request cannot be answered.
    this.stopped = true;
    request.failBody();
    const current = this.queue[0];
    if (current !== undefined && current.request === request && this.response !== null) {
      const response = this.response;
      if (response.headersSent) this.socket.destroy();
      else {
        this.response = null;
        response.closedEarly();
        this.queue.length = 0;
        this.reading = false;
        this.socket.end(REFUSALS[400], destroySocket.bind(null, this.socket));
      }
      return;
    }
    const waiting = this.queue.find((e) => e.request === request);
    if (waiting !== undefined) {
      waiting.request = null;
      waiting.refusal = REFUSALS[400];
    } else {
      // The body of a request already answered, being dropped.
      this.stopped = false;
      this.refuse(400);
    }
  }

  private refuse(status: number): void {
    if (this.stopped || this.closed) return;
    this.stopped = true;
    this.queue.push({ request: null, keepAlive: false, upgrade: false, upgradeHead: null, expectContinue: false, refusal: REFUSALS[status] ?? REFUSALS[400] });
    if (this.queue.length === 1) this.start();
    this.updateReading();
  }

  // ---- reading ----

  bodyAppetiteChanged(): void {
    if (!this.executing) this.updateReading();
  }

  /** Reads the socket while there is something to read for: no waiting request, no body held back. */
  private updateReading(): void {
    if (this.closed || this.handedOver) return;
    const read = !this.stopped && this.queue.length <= 1 && (this.parsing === null || this.parsing.wantsBody);
    if (read === this.reading) return;
    this.reading = read;
    if (read) {
      if (this.inHead) this.headStartedAt = Date.now(); // the client could not send while we did not read
      this.socket.resume();
    } else {
      this.headStartedAt = 0;
      this.socket.pause();
    }
  }

  private freeParser(): void {
    const parser = this.parser;
    if (parser === null) return;
    this.parser = null;
    if (this.executing) setImmediate(closeParser, parser);
    else closeParser(parser);
  }
}

function onSocketError(this: Socket): void {
  this.destroy();
}

function destroySocket(socket: Socket): void {
  socket.destroy();
}

function startNext(connection: RawConnection): void {
  connection.startQueued();
}
