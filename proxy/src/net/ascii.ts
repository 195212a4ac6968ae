// ASCII comparisons for header names, values and query names, without allocating a lowercased copy.

/** `text` at `from` equals `lower` (already lowercase), ASCII case-insensitively. */
export function equalsLowercaseAt(text: string, from: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    let c = text.charCodeAt(from + i);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}
