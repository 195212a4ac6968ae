// What the backend and the Node reference servers answer, from memory: one text/plain body per
// bench body ("/1k", "/64k"), with its content-length; the same bytes everywhere.
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
