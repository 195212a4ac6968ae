// An HTTP/1.1 Downstream on a TLS listener with HSTS: the header goes on every answer the proxy
// forwards or redirects (RFC 6797 §7.1: only over TLS). An upstream's own header wins. A subclass,
// so listeners without HSTS pay nothing per request.
import type { H1Request, H1Response } from '../server/h1/h1-exchange';
import { H1Downstream } from './h1-downstream';
import { withHsts } from './hsts';

export class HstsH1Downstream extends H1Downstream {
  constructor(req: H1Request, res: H1Response, scheme: string, host: string, peer: string, private readonly hsts: string) {
    super(req, res, scheme, host, peer);
  }

  writeHead(status: number, headers: string[]): void {
    super.writeHead(status, withHsts(headers, this.hsts));
  }
}
