// The links every answer from this proxy goes through on its way to the client writer, whether it
// came from an upstream or from a file: the route's response header rules (and, with them, any
// link a route feature adds). Only links the route uses are built.
import type { Downstream } from '../downstream/downstream';
import type { ClientWriter } from './client-writer';
import type { HeaderRules } from './header-rules';
import type { ResponseHandler } from './response-handler';
import { ResponseRulesHandler } from './response-rules-handler';

export function responseChain(ds: Downstream, writer: ClientWriter, responseRules: HeaderRules | null): ResponseHandler {
  return responseRules === null ? writer : new ResponseRulesHandler(writer, responseRules, ds);
}
