// What the backend and the Node reference servers answer, from memory: one text/plain body per
// bench body ("/1k", "/64k"), with its content-length; the same bytes everywhere.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ALL_BODIES, BODY_BYTES } from '../settings';
import { textBody } from './text-body';

export interface FixedResponse {
  body: Buffer;
  headers: { 'content-type': string; 'content-length': number };
}

/** By request path. */
export const FIXED_RESPONSES = new Map<string, FixedResponse>(
  ALL_BODIES.map((name) => {
    const body = textBody(BODY_BYTES[name]);
    return [`/${name}`, { body, headers: { 'content-type': 'text/plain', 'content-length': body.length } }];
  }),
);

/** The HTTP/1.1 answer (node:http, node:https): the fixed response for the path, else an empty 404. */
export function answerFixed(req: IncomingMessage, res: ServerResponse): void {
  const fixed = FIXED_RESPONSES.get(req.url ?? '');
  if (!fixed) {
    res.writeHead(404, { 'content-length': 0 });
    res.end();
    return;
  }
  res.writeHead(200, fixed.headers);
  res.end(fixed.body);
}
