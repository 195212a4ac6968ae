// The links every answer from this proxy goes through on its way to the client writer, whether it
// came from an upstream or from a file: compression, then the route's response header rules. Only
// links the route uses are built.
import { compressLink } from '../compress/compress-handler';
import type { ResolvedCompress } from '../config/resolved';
import type { Downstream } from '../downstream/downstream';
import type { ClientWriter } from './client-writer';
import type { HeaderRules } from './header-rules';
import type { ResponseHandler } from './response-handler';
import { ResponseRulesHandler } from './response-rules-handler';

export function responseChain(ds: Downstream, writer: ClientWriter, responseRules: HeaderRules | null, compress: ResolvedCompress | null): ResponseHandler {
  return withCompression(rulesLink(ds, writer, responseRules), compress, ds, writer);
}

/** The route's response header rules in front of the writer (the writer itself without rules). */
export function rulesLink(ds: Downstream, writer: ClientWriter, responseRules: HeaderRules | null): ResponseHandler {
  return responseRules === null ? writer : new ResponseRulesHandler(writer, responseRules, ds);
}

/** `next` behind the route's compression link (a proxied answer has its cache link in between). */
export function withCompression(next: ResponseHandler, compress: ResolvedCompress | null, ds: Downstream, writer: ClientWriter): ResponseHandler {
  return compress === null ? next : compressLink(compress, next, ds, writer);
}
