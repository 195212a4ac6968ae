// Checks on a client's request head that node:http's parser leaves to us, made before anything is
// routed or forwarded. What the parser already refuses with 400 by itself (tested in
// hostile-inputs.test.ts): Content-Length with Transfer-Encoding, two Content-Lengths (even equal),
// a Content-Length that is not digits, obs-fold, bare LF, CTLs/NUL in values, non-token names,
// unknown methods, chunked not last in Transfer-Encoding, chunk-size overflow, a head over 16 KiB (431).
import type { H1Request, H1Response } from './h1/h1-exchange';
import { sendError } from '../forward/error-page';
import { equalsLowercaseAt } from '../net/ascii';
import type { RuntimeRoute } from '../runtime';
import type { TemplateContext } from '../template';

/** Header fields a request may carry (Apache's LimitRequestFields); more gets 431. */
export const DEFAULT_MAX_REQUEST_HEADERS = 100;

export interface RequestRejection {
  status: number;
  code: string;
}

const TOO_MANY_HEADERS: RequestRejection = { status: 431, code: 'TOO_MANY_HEADERS' };
const DUPLICATE_HOST: RequestRejection = { status: 400, code: 'DUPLICATE_HOST' };
const BAD_HOST: RequestRejection = { status: 400, code: 'BAD_HOST' };
const DUPLICATE_TRANSFER_ENCODING: RequestRejection = { status: 400, code: 'DUPLICATE_TRANSFER_ENCODING' };
const UNSUPPORTED_TRANSFER_ENCODING: RequestRejection = { status: 501, code: 'UNSUPPORTED_TRANSFER_ENCODING' };
const AFTER_REFUSED: RequestRejection = { status: 400, code: 'AFTER_REFUSED_REQUEST' };
/** Set on a client socket once a request on it was refused. */
const kRefused = Symbol('portico.refused');

type ClientSocket = H1Request['socket'] & { [kRefused]?: true };

/**
 * The request's head, and the connection it came on: requests pipelined behind a refused one are
 * refused too. node:http parses a whole TCP read at once and emits every request in it before the
 * refused response has closed the socket, so "POST + Transfer-Encoding: gzip, chunked" with a
 * "GET /smuggled" in its body would otherwise send that GET upstream.
 */
export function checkRequest(req: H1Request): RequestRejection | null {
  if ((req.socket as ClientSocket)[kRefused] === true) return AFTER_REFUSED;
  return checkRequestHead(req.rawHeaders);
}

/**
 * One pass over the raw [name, value, ...] list; allocates nothing when the head is fine.
 * - more than `maxHeaders` fields: 431 (the listener's maxHeadersCount is set above the limit, so
 *   node does not silently truncate the list first);
 * - two Host fields: 400 (RFC 9112 §3.2; NGINX does the same);
 * - a Host with "/", "..", whitespace or a control character: 400, as NGINX's "invalid host"
 *   (a "/" would let "a.test/admin" + "/x" share the cache key "$host$request_uri" of "/admin/x");
 * - Transfer-Encoding other than exactly "chunked": 501, as NGINX (RFC 9112 §6.1: the proxy would
 *   otherwise have to decode codings it does not implement); a second one: 400.
 */
export function checkRequestHead(raw: readonly string[], maxHeaders = DEFAULT_MAX_REQUEST_HEADERS): RequestRejection | null {
  if (raw.length > maxHeaders * 2) return TOO_MANY_HEADERS;
  let host = false;
  let transferEncoding = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === 4 && equalsLowercaseAt(name, 0, 'host')) {
      if (host) return DUPLICATE_HOST;
      host = true;
      if (invalidHost(raw[i + 1])) return BAD_HOST;
    } else if (name.length === 17 && equalsLowercaseAt(name, 0, 'transfer-encoding')) {
      if (transferEncoding) return DUPLICATE_TRANSFER_ENCODING;
      transferEncoding = true;
      const value = raw[i + 1];
      if (value.length !== 7 || !equalsLowercaseAt(value, 0, 'chunked')) return UNSUPPORTED_TRANSFER_ENCODING;
    }
  }
  return null;
}

/** NGINX ngx_http_validate_host (no path separator, no "..", nothing at or below space, no DEL), and no userinfo. */
function invalidHost(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 47 || c === 64 || c <= 32 || c === 127) return true; // '/', '@' (userinfo: never part of a Host)
    if (c === 46 && i > 0 && value.charCodeAt(i - 1) === 46) return true; // ".."
  }
  return false;
}

/** Answers a refused request and closes the connection: what follows its head cannot be trusted. */
export function refuseRequest(req: H1Request, res: H1Response, rejection: RequestRejection): void {
  res.shouldKeepAlive = false;
  (req.socket as ClientSocket)[kRefused] = true;
  sendError(req, res, rejection.status, rejection.code);
}

/** A route's header rule would write an invalid value (CR, LF, NUL...) for this request: 400. */
export function rejectsHeaderValues(route: RuntimeRoute, ctx: TemplateContext): boolean {
  if (route.requestRules.rejects(ctx)) return true;
  const action = route.action;
  return action.kind === 'proxy' && action.target.responseRules !== null && action.target.responseRules.rejects(ctx);
}
