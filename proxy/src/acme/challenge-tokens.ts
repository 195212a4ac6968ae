// HTTP-01 challenge answers (RFC 8555 §8.3) while an order is pending: token -> key authorization.
// The plain listeners answer GET /.well-known/acme-challenge/<token> from here, before routing.

export const CHALLENGE_PREFIX = '/.well-known/acme-challenge/';

/** Tokens are base64url (RFC 8555 §8.1): anything else in the path is not ours to answer. */
const TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

export class ChallengeTokens {
  private readonly answers = new Map<string, string>();

  set(token: string, keyAuthorization: string): void {
    this.answers.set(token, keyAuthorization);
  }

  delete(token: string): void {
    this.answers.delete(token);
  }

  /** The key authorization for a request path under CHALLENGE_PREFIX, or null (then: 404). */
  answer(path: string): string | null {
    const token = path.slice(CHALLENGE_PREFIX.length);
    if (!TOKEN.test(token)) return null;
    return this.answers.get(token) ?? null;
  }

  get size(): number {
    return this.answers.size;
  }
}

/** Whether a request target is an ACME challenge path (never redirected to https, never routed). */
export function isChallengePath(url: string): boolean {
  return url.startsWith(CHALLENGE_PREFIX);
}

/** A challenge path as a validation server sends it: the prefix and one token, nothing else. */
export function isChallengeRequest(url: string): boolean {
  return url.startsWith(CHALLENGE_PREFIX) && TOKEN.test(url.slice(CHALLENGE_PREFIX.length));
}
