// Which server reads clients' HTTP/1.1: the native one (raw-connection.ts: llhttp driven directly,
// answers in order without reading ahead, node:http's CPU per request or less) or node:http.
// PORTICO_HTTP1_SERVER=node or =native chooses; otherwise native when the request parser's
// self-test passes on this Node, else node:http with a warning. Decided once per process.
import { requestParserSelfTest } from './request-parser-self-test';

export type Http1ServerKind = 'native' | 'node';

let chosen: Http1ServerKind | undefined;

export function http1ServerKind(): Http1ServerKind {
  if (chosen === undefined) chosen = choose(process.env.PORTICO_HTTP1_SERVER, requestParserSelfTest, warn);
  return chosen;
}

/** The choice for an environment value and a self-test result (exported for its test). */
export function choose(env: string | undefined, selfTest: () => string | null, report: (message: string) => void): Http1ServerKind {
  const wanted = env === undefined || env === '' ? 'auto' : env.toLowerCase();
  if (wanted === 'node') return 'node';
  if (wanted !== 'native' && wanted !== 'auto') report(`PORTICO_HTTP1_SERVER=${JSON.stringify(env)} is neither "native" nor "node"; choosing as if unset`);
  const failure = selfTest();
  if (failure === null) return 'native';
  report(`the native HTTP/1.1 server cannot run on this Node (${failure}); clients' HTTP/1.1 is read by node:http`);
  return 'node';
}

function warn(message: string): void {
  process.emitWarning(message, { code: 'PORTICO_HTTP1_SERVER' });
}
