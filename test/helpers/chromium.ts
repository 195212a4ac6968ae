// Headless Chromium (Debian's package, driven by playwright-core) for tests of pages. Like Docker:
// skipped with the reason printed when missing, failed when PORTICO_REQUIRE_SYSTEM=1 (CI).
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { describeIfAvailable } from './docker';

export const CHROMIUM_PATH = process.env.PORTICO_CHROMIUM ?? '/usr/bin/chromium';

/** `describe` when Chromium is installed; otherwise skipped with the reason, or failed in CI. */
export function describeWithChromium(name: string, fn: () => void): void {
  const reason = `${CHROMIUM_PATH} is missing (apt-get install chromium; .ci/run does)`;
  describeIfAvailable(name, 'Chromium', { ok: existsSync(CHROMIUM_PATH), reason }, fn);
}

/** A headless browser with nothing running in the background (no network beyond the test's pages). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
