// Trusted-proxy matching: IPv4 and IPv6 CIDRs, with IPv4-mapped IPv6 peers (::ffff:1.2.3.4) matched as IPv4.
import { isIP } from 'node:net';

export interface Cidr {
  bytes: Uint8Array;
  prefix: number;
}

export function parseCidr(text: string): Cidr | null {
  const [addr, bits, ...rest] = text.split('/');
  if (rest.length) return null;
  const bytes = ipBytes(addr);
  if (!bytes) return null;
  const max = bytes.length * 8;
  const prefix = bits === undefined ? max : Number(bits);
  if (!/^\d+$/.test(bits ?? String(max)) || prefix > max) return null;
  return { bytes, prefix };
}

export class CidrSet {
  private readonly cidrs: Cidr[];

  constructor(list: readonly string[]) {
    this.cidrs = list.map((text) => {
      const cidr = parseCidr(text);
      if (!cidr) throw new Error(`not a CIDR: ${text}`);
      return cidr;
    });
  }

  get size(): number {
    return this.cidrs.length;
  }

  has(address: string | undefined): boolean {
    if (!address || this.cidrs.length === 0) return false;
    const bytes = ipBytes(address);
    if (!bytes) return false;
    return this.cidrs.some((c) => c.bytes.length === bytes.length && matches(c, bytes));
  }
}

function matches(cidr: Cidr, bytes: Uint8Array): boolean {
  let bits = cidr.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((cidr.bytes[i] & mask) !== (bytes[i] & mask)) return false;
  }
  return true;
}

export function ipBytes(address: string): Uint8Array | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) address = mapped[1];
  const kind = isIP(address);
  if (kind === 4) return Uint8Array.from(address.split('.').map(Number));
  if (kind === 6) return ipv6Bytes(address);
  return null;
}

function ipv6Bytes(address: string): Uint8Array {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const parse = (s: string | undefined) => (s ? s.split(':') : []);
  const left = parse(head);
  const right = parse(tail);
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}
