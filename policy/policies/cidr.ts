// Which source blocks count as "the internet". 0.0.0.0/0 and ::/0, and any block wider than an
// IPv4 /8 or an IPv6 /16: 0.0.0.0/1 plus 128.0.0.0/1 is the whole internet in two rules, while a
// VPC's own blocks are narrower (10.0.0.0/8 at the widest; an Amazon IPv6 block is a /56).
import { isIP } from 'net';

export type CidrVerdict = 'internet' | 'limited' | 'invalid';

const WIDEST_LIMITED = { 4: 8, 6: 16 } as const;

export function classifyCidr(cidr: unknown): CidrVerdict {
  if (typeof cidr !== 'string') return 'invalid';
  const slash = cidr.indexOf('/');
  if (slash < 0) return 'invalid';
  const family = isIP(cidr.slice(0, slash));
  const prefix = cidr.slice(slash + 1);
  if (family === 0 || !/^\d{1,3}$/.test(prefix)) return 'invalid';
  const length = Number(prefix);
  if (length > (family === 4 ? 32 : 128)) return 'invalid';
  return length < WIDEST_LIMITED[family as 4 | 6] ? 'internet' : 'limited';
}
