// Which upstream HTTP/1.1 client this process uses: the one on Node's internal parser (fastest,
// but on a deprecated internal, DEP0199) or the fallback on undici's public API. Chosen once at
// start: 'auto' self-tests the internal and falls back, with one warning, when it is unusable.
import { H1Pool, type H1PoolOptions } from './h1/h1-pool';
import { nativeParserClass } from './h1/native-parser';
import { nativeParserSelfTest } from './h1/native-parser-self-test';
import type { UpstreamClient } from './h1/upstream-handler';
import { UndiciClient } from './undici-client';

export type UpstreamClientKind = 'native' | 'undici';
export type UpstreamClientSetting = 'auto' | UpstreamClientKind;

/** Overrides the config's `upstreamClient` (native|undici): e.g. to run the test suite on the fallback. */
export const UPSTREAM_CLIENT_ENV = 'PORTICO_UPSTREAM_CLIENT';

export interface ChoiceLog {
  warn(fields: object, message: string): void;
}

export interface UpstreamClientOptions extends H1PoolOptions {
  /** Idle connections kept per server (the native client's bound; undici ignores it). */
  maxIdle?: number;
}

export function createUpstreamClient(host: string, port: number, options: UpstreamClientOptions, kind: UpstreamClientKind = upstreamClientKind()): UpstreamClient {
  return kind === 'undici' ? new UndiciClient(host, port, options) : new H1Pool(host, port, options);
}

let chosen: UpstreamClientKind | null = null;
let selfTestResult: string | null | undefined;

/**
 * Decides the client for this process and returns it. The environment variable wins over
 * `requested`; 'auto' runs the native parser's self-test (once per process) and uses undici, with
 * one warn line naming the reason, when it fails. `selfTest` is for tests.
 */
export function chooseUpstreamClient(
  requested: UpstreamClientSetting,
  log: ChoiceLog | null,
  selfTest: () => string | null = cachedSelfTest,
): UpstreamClientKind {
  const fromEnv = process.env[UPSTREAM_CLIENT_ENV];
  let setting = requested;
  if (fromEnv === 'native' || fromEnv === 'undici') setting = fromEnv;
  else if (fromEnv) warn(log, { [UPSTREAM_CLIENT_ENV]: fromEnv }, `${UPSTREAM_CLIENT_ENV} must be native or undici; ignored`);
  if (setting === 'auto') {
    const reason = selfTest();
    setting = reason === null ? 'native' : 'undici';
    if (reason !== null) warn(log, { reason }, 'native HTTP parser unusable, upstream client falls back to undici');
  }
  // Asked for by name: a Node without the internal is a start-up error, not a failure per request.
  if (setting === 'native' && nativeParserClass() === null) throw new Error('upstreamClient "native": node:_http_common HTTPParser is not available on this Node');
  chosen = setting;
  return setting;
}

/** The client chosen at start; 'auto' (without a logger) if nothing chose yet. */
export function upstreamClientKind(): UpstreamClientKind {
  return chosen ?? chooseUpstreamClient('auto', null);
}

function cachedSelfTest(): string | null {
  if (selfTestResult === undefined) selfTestResult = nativeParserSelfTest();
  return selfTestResult;
}

function warn(log: ChoiceLog | null, fields: object, message: string): void {
  if (log !== null) log.warn(fields, message);
  else process.emitWarning(`${message} (${JSON.stringify(fields)})`, 'PorticoWarning');
}
