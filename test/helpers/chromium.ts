// Headless Chromium (Debian's package, driven by playwright-core) for tests of pages. Like Docker:
// skipped with the reason printed when missing, failed when PORTICO_REQUIRE_SYSTEM=1 (CI).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { describeIfAvailable } from './docker';

export const CHROMIUM_PATH = process.env.PORTICO_CHROMIUM ?? '/usr/bin/chromium';

/** `describe` when Chromium is installed; otherwise skipped with the reason, or failed in CI. */
export function describeWithChromium(name: string, fn: () => void): void {
  const reason = `${CHROMIUM_PATH} is missing (apt-get install chromium; .ci/run does)`;
  describeIfAvailable(name, 'Chromium', { ok: existsSync(CHROMIUM_PATH), reason }, fn);
}

/** `describe` when Chromium and NSS's certutil (Debian's libnss3-tools) are installed. */
export function describeWithChromiumAndCertutil(name: string, fn: () => void): void {
  const certutil = existsSync('/usr/bin/certutil');
  const reason = certutil ? `${CHROMIUM_PATH} is missing (apt-get install chromium; .ci/run does)` : '/usr/bin/certutil is missing (apt-get install libnss3-tools; .ci/run does)';
  describeIfAvailable(name, 'Chromium and certutil', { ok: existsSync(CHROMIUM_PATH) && certutil, reason }, fn);
}

/**
 * A home folder whose NSS database (what Chromium on Linux trusts besides the system's roots)
 * trusts `caFile`, as `npm start` tells a user to do: give it to launchChromium as `home`.
 */
export function homeTrusting(home: string, caFile: string): string {
  const db = `sql:${path.join(home, '.pki', 'nssdb')}`;
  mkdirSync(path.join(home, '.pki', 'nssdb'), { recursive: true });
  execFileSync('certutil', ['-d', db, '-N', '--empty-password'], { stdio: 'pipe' });
  execFileSync('certutil', ['-d', db, '-A', '-t', 'C,,', '-n', 'portico-local', '-i', caFile], { stdio: 'pipe' });
  return home;
}

/**
 * A headless browser with nothing running in the background (no network beyond the test's pages).
 * `home`: its HOME, e.g. one made by homeTrusting.
 */
export function launchChromium(options: { home?: string } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    ...(options.home !== undefined && { env: { ...process.env, HOME: options.home } }),
  });
}
