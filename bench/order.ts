// The order targets run in within one rep. A target's cost measurably depends on what ran just
// before it (Portico after "direct" used ~15% more CPU per request than after nginx, on the same
// process; cause not found), so every rep walks the list with a different stride: each target
// follows a different neighbour from rep to rep, not the same one with the list merely rotated.
export function runOrder<T>(targets: readonly T[], rep: number): T[] {
  const n = targets.length;
  if (n <= 1) return [...targets];
  const strides = [];
  for (let s = 1; s < n; s++) if (gcd(s, n) === 1) strides.push(s);
  const stride = strides[rep % strides.length];
  const start = rep % n;
  return targets.map((_, i) => targets[(start + i * stride) % n]);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
