// Node's own llhttp binding, the parser node:http uses for its client and server. Reading upstream
// responses with it (rather than undici's WebAssembly build behind its dispatcher) measured 15 µs
// of user CPU per proxied 1 KiB request against 25 µs here (see bench/ and the issue notes).
// `_http_common` is a public module without documentation; this file is the only one that touches
// it, so a Node upgrade that changes it breaks in one place (and in test/proxy/h1-client.test.ts).
const { HTTPParser } = require('node:_http_common') as { HTTPParser: NativeParserClass };

export interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize?: number, lenient?: number): void;
  execute(data: Buffer): number | (Error & { code: string });
  finish(): number | Error | undefined;
  remove(): void;
  close(): void;
  [key: number]: unknown;
}

interface NativeParserClass {
  new (): NativeParser;
  RESPONSE: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kLenientNone: number;
}

export const HTTP_RESPONSE = HTTPParser.RESPONSE;

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

/** A response parser whose callbacks are the given functions. */
export function createResponseParser(callbacks: ResponseCallbacks): NativeParser {
  const parser = new HTTPParser();
  parser.initialize(HTTPParser.RESPONSE, {}, 0, HTTPParser.kLenientNone);
  parser[HTTPParser.kOnHeaders] = callbacks.onHeaders;
  parser[HTTPParser.kOnHeadersComplete] = callbacks.onHeadersComplete;
  parser[HTTPParser.kOnBody] = callbacks.onBody;
  parser[HTTPParser.kOnMessageComplete] = callbacks.onMessageComplete;
  return parser;
}

/**
 * Ends a parser for good, as node's freeParser does for one it does not pool: the native object
 * keeps its JS wrapper alive (and with it the callbacks and all they reach: connection, socket)
 * until close() deletes it. Not from inside the parser's own callbacks (node defers it for that).
 */
export function closeParser(parser: NativeParser): void {
  parser[HTTPParser.kOnHeaders] = null;
  parser[HTTPParser.kOnHeadersComplete] = null;
  parser[HTTPParser.kOnBody] = null;
  parser[HTTPParser.kOnMessageComplete] = null;
  parser.remove();
  parser.close();
}
