const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

export const DURATION_PATTERN = '^[0-9]+(ms|s|m|h)$';

/** A duration in config: milliseconds as a number, or "500ms", "10s", "1m", "2h" as NGINX writes them. */
export function toMilliseconds(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+)(ms|s|m|h)$/.exec(value);
  if (!match) throw new Error(`not a duration: ${value}`);
  return Number(match[1]) * UNIT_MS[match[2]];
}
