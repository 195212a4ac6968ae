// Node's own llhttp binding, the parser node:http uses for its client and server. Reading upstream
// responses with it (rather than undici's WebAssembly build behind its dispatcher) measured 15 µs
// of user CPU per proxied 1 KiB request against 25 µs here (see bench/ and the issue notes).
// `_http_common` is undocumented and deprecated (DEP0199): it is loaded lazily and defensively, so
// a Node without it still starts (upstream-client.ts then picks the undici client), and this file
// is the only one that touches it (checked at start by native-parser-self-test.ts).

export interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize?: number, lenient?: number): void;
  execute(data: Buffer): number | (Error & { code: string });
  finish(): number | Error | undefined;
  remove(): void;
  free(): void;
  close(): void;
  [key: number]: unknown;
}

export interface NativeParserClass {
  new (): NativeParser;
  REQUEST: number;
  RESPONSE: number;
  kOnMessageBegin: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kLenientNone: number;
}

/** llhttp's HTTP_REQUEST / HTTP_RESPONSE (llhttp_type_t); the self-tests check the binding still says so. */
export const HTTP_REQUEST = 1;
export const HTTP_RESPONSE = 2;

let loaded: NativeParserClass | null | undefined;
let methodNames: readonly string[] | null | undefined;

/** The binding's parser class, or null when this Node has none (loaded once, never throws). */
export function nativeParserClass(): NativeParserClass | null {
  if (loaded === undefined) {
    try {
      const mod = require('node:_http_common') as { HTTPParser?: NativeParserClass } | undefined;
      loaded = typeof mod?.HTTPParser === 'function' ? mod.HTTPParser : null;
    } catch {
      loaded = null;
    }
  }
  return loaded;
}

/**
 * The method names by llhttp's numbering (onHeadersComplete's `method`), or null. Not
 * http.METHODS: that list is sorted, this one is indexed by llhttp's enum.
 */
export function nativeMethodNames(): readonly string[] | null {
  if (methodNames === undefined) {
    try {
      const mod = require('node:_http_common') as { methods?: unknown } | undefined;
      const list = mod?.methods;
      methodNames = Array.isArray(list) && list.every((m) => typeof m === 'string') ? (list as string[]) : null;
    } catch {
      methodNames = null;
    }
  }
  return methodNames;
}

export type OnHeadersComplete = (
  versionMajor: number,
  versionMinor: number,
  headers: string[] | undefined,
  method: number | undefined,
  url: string | undefined,
  statusCode: number,
  statusMessage: string,
  upgrade: boolean,
  shouldKeepAlive: boolean,
) => number;

export interface ResponseCallbacks {
  /** Part of a head too large for one packet; the rest follows in onHeadersComplete. */
  onHeaders(headers: string[]): void;
  onHeadersComplete: OnHeadersComplete;
  onBody(chunk: Buffer): void;
  onMessageComplete(): void;
}

/** A response parser whose callbacks are the given functions (`Parser`: the self-test's). */
export function createResponseParser(callbacks: ResponseCallbacks, Parser = nativeParserClass()): NativeParser {
  if (Parser === null) throw new Error('node:_http_common HTTPParser is not available on this Node');
  const parser = new Parser();
  parser.initialize(HTTP_RESPONSE, {}, 0, Parser.kLenientNone);
  parser[Parser.kOnHeaders] = callbacks.onHeaders;
  parser[Parser.kOnHeadersComplete] = callbacks.onHeadersComplete;
  parser[Parser.kOnBody] = callbacks.onBody;
  parser[Parser.kOnMessageComplete] = callbacks.onMessageComplete;
  return parser;
}

export interface RequestCallbacks {
  /** The first byte of a request (the head timeout starts here). */
  onMessageBegin(): void;
  onHeaders(headers: string[], url: string): void;
  onHeadersComplete: OnHeadersComplete;
  onBody(chunk: Buffer): void;
  onMessageComplete(): void;
}

/** A strict (no lenient flags) request parser refusing heads over `maxHeadBytes` (HPE_HEADER_OVERFLOW). */
export function createRequestParser(callbacks: RequestCallbacks, maxHeadBytes: number, Parser = nativeParserClass()): NativeParser {
  if (Parser === null) throw new Error('node:_http_common HTTPParser is not available on this Node');
  const parser = new Parser();
  parser.initialize(HTTP_REQUEST, {}, maxHeadBytes, Parser.kLenientNone);
  parser[Parser.kOnMessageBegin] = callbacks.onMessageBegin;
  parser[Parser.kOnHeaders] = callbacks.onHeaders;
  parser[Parser.kOnHeadersComplete] = callbacks.onHeadersComplete;
  parser[Parser.kOnBody] = callbacks.onBody;
  parser[Parser.kOnMessageComplete] = callbacks.onMessageComplete;
  return parser;
}

/**
 * Ends a parser for good, as node's freeParser does for one it does not pool: the native object
 * keeps its JS wrapper alive (and with it the callbacks and all they reach: connection, socket)
 * until close() deletes it. Not from inside the parser's own callbacks (node defers it for that).
 */
export function closeParser(parser: NativeParser, Parser = nativeParserClass()): void {
  if (Parser !== null) {
    parser[Parser.kOnMessageBegin] = null;
    parser[Parser.kOnHeaders] = null;
    parser[Parser.kOnHeadersComplete] = null;
    parser[Parser.kOnBody] = null;
    parser[Parser.kOnMessageComplete] = null;
  }
  parser.remove();
  parser.close();
}
