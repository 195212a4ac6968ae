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
  const rules = responseRules === null ? writer : new ResponseRulesHandler(writer, responseRules, ds);
  return compress === null ? rules : compressLink(compress, rules, ds, writer);
}
