// A start-up check of Node's internal parser binding (native-parser.ts), which Node documents as
// deprecated (DEP0199): is it there, with what h1-connection.ts uses, and does it still parse the
// way h1-connection.ts drives it? `null` means yes; otherwise a one-line reason, and the caller
// (upstream-client.ts) falls back to the undici client. Never throws.
import { closeParser, createResponseParser, HTTP_RESPONSE, nativeParserClass, type NativeParser, type NativeParserClass } from './native-parser';

const CONSTANTS = ['kOnHeaders', 'kOnHeadersComplete', 'kOnBody', 'kOnMessageComplete', 'kLenientNone'] as const;
const METHODS = ['initialize', 'execute', 'finish', 'remove', 'free', 'close'] as const;

/**
 * One canned exchange: the bytes fed to `execute`, what onHeadersComplete returns for a status
 * (as h1-connection's onHead: 0 read the body, 1 no body, 2 stop after the head and read it raw),
 * and the events expected. `then` is fed after re-initializing, as the client does after a raw body.
 */
interface Case {
  name: string;
  input: string;
  headResult(status: number): number;
  finish?: boolean;
  then?: string;
  expected: string;
}

const CASES: Case[] = [
  {
    name: '100 Continue then chunked 200 with trailers',
    input: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nx-trailer: t\r\n\r\n',
    headResult: () => 0,
    expected: 'head 100 [] keep|complete|head 200 [transfer-encoding,chunked] keep|body hello|body  world|headers [x-trailer,t]|complete|execute all',
  },
  {
    name: '103 Early Hints then 200',
    input: 'HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nfinal',
    headResult: () => 0,
    expected: 'head 103 [link,</a.css>] keep|complete|head 200 [content-length,5] keep|body final|complete|execute all',
  },
  {
    name: 'Content-Length body read raw (2)',
    input: 'HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nabc',
    headResult: () => 2,
    then: 'HTTP/1.1 204 No Content\r\n\r\n',
    expected: 'head 200 [content-length,3] keep|complete|execute 38|head 204 [] keep|complete|execute all',
  },
  {
    name: 'HEAD-style response without its body (1)',
    input: 'HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok',
    headResult: (status) => (status === 200 ? 1 : 0),
    expected: 'head 200 [content-length,1000] keep|complete|head 201 [content-length,2] keep|body ok|complete|execute all',
  },
  {
    name: 'body delimited by the connection closing',
    input: 'HTTP/1.1 200 OK\r\nconnection: close\r\n\r\npart',
    headResult: () => 0,
    finish: true,
    expected: 'head 200 [connection,close] close|body part|execute all|complete|finish ok',
  },
  {
    name: 'malformed response',
    input: 'NOT HTTP AT ALL\r\n\r\n',
    headResult: () => 0,
    expected: 'execute error',
  },
];

/** Why the native parser cannot be used here, or null when it can (`Parser`: for tests). */
export function nativeParserSelfTest(Parser: NativeParserClass | null = nativeParserClass()): string | null {
  try {
    const missing = missingMembers(Parser);
    if (missing !== null) return missing;
    for (const c of CASES) {
      const got = run(c, Parser!);
      if (got !== c.expected) return oneLine(`${c.name}: expected "${c.expected}", got "${got}"`);
    }
    return null;
  } catch (err) {
    return oneLine(`self-test threw: ${(err as Error)?.message ?? String(err)}`);
  }
}

function missingMembers(Parser: NativeParserClass | null): string | null {
  if (typeof Parser !== 'function') return 'node:_http_common HTTPParser is not available';
  if (Parser.RESPONSE !== HTTP_RESPONSE) return `HTTPParser.RESPONSE is ${String(Parser.RESPONSE)}, expected ${HTTP_RESPONSE}`;
  for (const name of CONSTANTS) if (typeof Parser[name] !== 'number') return `HTTPParser.${name} is missing`;
  for (const name of METHODS) {
    if (typeof (Parser.prototype as unknown as Record<string, unknown>)[name] !== 'function') return `HTTPParser.prototype.${name} is missing`;
  }
  return null;
}

/** Drives a parser as h1-connection.ts does and records what it saw. */
function run(c: Case, Parser: NativeParserClass): string {
  const events: string[] = [];
  let partial: string[] | null = null;
  const parser: NativeParser = createResponseParser(
    {
      onHeaders: (headers) => {
        partial = partial ? partial.concat(headers) : headers;
        events.push(`headers [${headers.join(',')}]`);
      },
      onHeadersComplete: (_maj, _min, headers, _m, _u, status, _msg, _upg, keepAlive) => {
        events.push(`head ${status} [${(headers ?? partial ?? []).join(',')}] ${keepAlive ? 'keep' : 'close'}`);
        partial = null;
        return c.headResult(status);
      },
      onBody: (chunk) => events.push(`body ${chunk.toString('latin1')}`),
      onMessageComplete: () => events.push('complete'),
    },
    Parser,
  );
  try {
    execute(parser, c.input, events);
    if (c.then !== undefined) {
      parser.initialize(HTTP_RESPONSE, {}, 0, 0);
      execute(parser, c.then, events);
    }
    if (c.finish) events.push(typeof parser.finish() === 'object' ? 'finish error' : 'finish ok');
  } finally {
    closeParser(parser, Parser);
  }
  return events.join('|');
}

function execute(parser: NativeParser, input: string, events: string[]): void {
  const result = parser.execute(Buffer.from(input, 'latin1'));
  // As h1-connection.ts: an error is an object with a code (of Node's realm: no instanceof).
  if (typeof result === 'number') events.push(`execute ${result === input.length ? 'all' : result}`);
  else events.push(typeof result?.code === 'string' ? 'execute error' : `execute ${typeof result}`);
}

/** A reason on one line, at most 500 characters (the self-tests' answers end up in a log line). */
export function oneLine(text: string): string {
  const line = text.replace(/[\r\n]+/g, ' ');
  return line.length > 500 ? `${line.slice(0, 497)}...` : line;
}
