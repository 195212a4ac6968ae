// The dashboard page's Content-Security-Policy: only its own origin, and its inline <script> and
// <style> blocks allowed by their SHA-256 hash (no 'unsafe-inline'), computed once from the page.
import { createHash } from 'node:crypto';

export function pageCsp(html: string): string {
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)].filter((m) => !/\bsrc\s*=/i.test(m[1])).map((m) => m[2]);
  const styles = [...html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)].map((m) => m[1]);
  return [
    "default-src 'self'",
    ['script-src', "'self'", ...scripts.map(hashSource)].join(' '),
    ['style-src', "'self'", ...styles.map(hashSource)].join(' '),
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function hashSource(content: string): string {
  return `'sha256-${createHash('sha256').update(content, 'utf8').digest('base64')}'`;
}
