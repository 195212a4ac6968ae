/** `headers` with Strict-Transport-Security added, unless the upstream sent its own. */
export function withHsts(headers: string[], value: string): string[] {
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i];
    if (name.length === 25 && name.toLowerCase() === 'strict-transport-security') return headers;
  }
  headers.push('strict-transport-security', value);
  return headers;
}
