const UNIT_BYTES: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

export const SIZE_PATTERN = '^[0-9]+[kmg]?$';

/** A size in config: bytes as a number, or "512k", "64m", "1g" as NGINX writes them. */
export function toBytes(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+)([kmg]?)$/.exec(value);
  if (!match) throw new Error(`not a size: ${value}`);
  return Number(match[1]) * UNIT_BYTES[match[2]];
}
