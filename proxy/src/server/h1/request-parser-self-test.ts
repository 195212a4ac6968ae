// A start-up check of the request side of Node's internal parser binding (native-parser.ts), which
// the native HTTP/1.1 server drives: is it there, and does it still parse as raw-connection.ts
// expects? `null` means yes; otherwise a one-line reason, and the listeners use node:http instead
// (http1-server-kind.ts). Never throws.
import { closeParser, createRequestParser, HTTP_REQUEST, nativeMethodNames, nativeParserClass, type NativeParserClass } from '../../upstream/h1/native-parser';
import { oneLine } from '../../upstream/h1/native-parser-self-test';

interface Case {
  name: string;
  input: string;
  maxHead?: number;
  expected: string;
}

const CASES: Case[] = [
  {
    name: 'two pipelined requests, the second with a chunked body',
    input: 'GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    expected: 'begin|head GET /a?x=1 1.1 [Host,h] keep|complete|begin|head POST /b 1.1 [Host,h,Transfer-Encoding,chunked] keep|body abc|complete|execute all',
  },
  {
    name: 'HTTP/1.0 and Connection: close',
    input: 'HEAD / HTTP/1.0\r\n\r\n',
    expected: 'begin|head HEAD / 1.0 [] close|complete|execute all',
  },
  {
    name: 'an upgrade stops after its head',
    input: 'GET /ws HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\nFRAME',
    expected: 'begin|head GET /ws 1.1 [Host,h,Connection,upgrade,Upgrade,websocket] keep upgrade|complete|execute 70',
  },
  {
    name: 'Content-Length with Transfer-Encoding is refused',
    input: 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
    expected: 'begin|execute error',
  },
  {
    name: 'a head over the limit',
    input: `GET / HTTP/1.1\r\nHost: h\r\nX: ${'a'.repeat(200)}\r\n\r\n`,
    maxHead: 100,
    expected: 'begin|execute HPE_HEADER_OVERFLOW',
  },
];

/** Why the native request parser cannot be used here, or null when it can (`Parser`: for tests). */
export function requestParserSelfTest(Parser: NativeParserClass | null = nativeParserClass()): string | null {
  try {
    if (typeof Parser !== 'function') return 'node:_http_common HTTPParser is not available';
    if (Parser.REQUEST !== HTTP_REQUEST) return `HTTPParser.REQUEST is ${String(Parser.REQUEST)}, expected ${HTTP_REQUEST}`;
    if (typeof Parser.kOnMessageBegin !== 'number') return 'HTTPParser.kOnMessageBegin is missing';
    const methods = nativeMethodNames();
    if (methods === null || methods[1] !== 'GET' || methods[2] !== 'HEAD' || methods[3] !== 'POST') return 'node:_http_common methods are not llhttp numbering';
    for (const c of CASES) {
      const got = run(c, Parser, methods);
      if (got !== c.expected) return oneLine(`${c.name}: expected "${c.expected}", got "${got}"`);
    }
    return null;
  } catch (err) {
    return oneLine(`self-test threw: ${(err as Error)?.message ?? String(err)}`);
  }
}

function run(c: Case, Parser: NativeParserClass, methods: readonly string[]): string {
  const events: string[] = [];
  const parser = createRequestParser(
    {
      onMessageBegin: () => events.push('begin'),
      onHeaders: () => events.push('partial'),
      onHeadersComplete: (major, minor, headers, method, url, _s, _m, upgrade, keepAlive) => {
        const name = method === undefined ? '?' : methods[method];
        events.push(`head ${name} ${url} ${major}.${minor} [${(headers ?? []).join(',')}] ${keepAlive ? 'keep' : 'close'}${upgrade ? ' upgrade' : ''}`);
        return 0;
      },
      onBody: (chunk) => events.push(`body ${chunk.toString('latin1')}`),
      onMessageComplete: () => events.push('complete'),
    },
    c.maxHead ?? 16 * 1024,
    Parser,
  );
  try {
    const result = parser.execute(Buffer.from(c.input, 'latin1'));
    if (typeof result === 'number') events.push(`execute ${result === c.input.length ? 'all' : result}`);
    else events.push(result?.code === 'HPE_HEADER_OVERFLOW' ? 'execute HPE_HEADER_OVERFLOW' : typeof result?.code === 'string' ? 'execute error' : `execute ${typeof result}`);
  } finally {
    closeParser(parser, Parser);
  }
  return events.join('|');
}
