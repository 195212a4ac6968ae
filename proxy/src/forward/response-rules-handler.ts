// A route's responseHeaders rules as a link of the response chain (only routes that have rules
// get one: no cost elsewhere).
import type { Socket } from 'node:net';
import type { Tunnel } from '../server/tunnels';
import type { TemplateContext } from '../template';
import type { HeaderRules } from './header-rules';
import { ResponseHandlerWrapper, type ResponseHandler } from './response-handler';

export class ResponseRulesHandler extends ResponseHandlerWrapper {
  constructor(
    next: ResponseHandler,
    private readonly rules: HeaderRules,
    private readonly ctx: TemplateContext,
  ) {
    super(next);
  }

  onHeaders(status: number, headers: string[], resume: () => void): boolean {
    return this.next.onHeaders(status, this.rules.apply(headers, this.ctx), resume);
  }

  onUpgrade(status: number, headers: string[], upstream: Socket, head: Buffer): Tunnel | null {
    return this.next.onUpgrade(status, this.rules.apply(headers, this.ctx), upstream, head);
  }
}
