// HTTP-01 answers on plain listeners (RFC 8555 §8.3): GET /.well-known/acme-challenge/<token> is
// answered from the AcmeManager's tokens before routing and before redirectToHttps; a token the
// manager is not waiting for is a 404 (never routed to an app).
import type { H1Request, H1Response } from './h1/h1-exchange';
import type { ChallengeTokens } from '../acme/challenge-tokens';

export function answerChallenge(tokens: ChallengeTokens, req: H1Request, res: H1Response): void {
  const answer = req.method === 'GET' || req.method === 'HEAD' ? tokens.answer(req.url!) : null;
  const body = answer ?? 'no such ACME challenge\n';
  res.writeHead(answer === null ? 404 : 200, {
    'content-type': answer === null ? 'text/plain; charset=utf-8' : 'application/octet-stream',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
