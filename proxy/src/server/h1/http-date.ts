// The Date header value, formatted at most once a second (node:http keeps the same cache).
let cached = '';
let cachedSecond = -1;

export function httpDate(now = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cached = new Date(second * 1000).toUTCString();
  }
  return cached;
}
