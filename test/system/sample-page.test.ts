// The sample page as a newcomer meets it: `npm start`'s stack (startLocalStack, four instances),
// the page opened through the proxy in headless Chromium. The session counter must climb on every
// click, the chat must connect by long-polling then upgrade to WebSocket, a message must come back,
// and the browser must see no console error and no failed request. Both need the proxy's sticky
// cookie: without it the counter restarts on other instances and long-polling gets 400s.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startLocalStack, type LocalStack } from '../../infra/local/stack';
import { describeWithChromium, launchChromium } from '../helpers/chromium';

const ROOT = join(__dirname, '..', '..');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const INSTANCES = 4;
const CLICKS = 5;
/** Bound of every wait on the page: long enough for a loaded 2-core machine, short enough to fail fast. */
const WAIT_MS = 15_000;

jest.setTimeout(120_000);

describeWithChromium('the sample page through `npm start`, in Chromium', () => {
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  const stackLog: string[] = [];
  const consoleErrors: string[] = [];
  const failedRequests: string[] = [];
  const websockets: string[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
    const ports = await freePorts(INSTANCES);
    stack = await startLocalStack(
      { instances: INSTANCES, httpPort: ports.http, httpsPort: ports.https, adminPort: ports.admin, appPort: ports.app },
      { root: ROOT, write: (line) => stackLog.push(line) },
    );
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(`uncaught: ${err.message}`));
    page.on('requestfailed', (req) => failedRequests.push(`${req.method()} ${req.url()}: ${req.failure()?.errorText}`));
    page.on('response', (res) => {
      if (res.status() >= 400) failedRequests.push(`${res.request().method()} ${res.url()}: HTTP ${res.status()}`);
    });
    page.on('websocket', (ws) => websockets.push(ws.url()));
    // Every text the connection status shows, in order: the page overwrites it as it goes.
    // (Browser code as strings: this project compiles without the DOM library.)
    await page.addInitScript(`
      window.connTexts = [];
      document.addEventListener('DOMContentLoaded', () => {
        const conn = document.getElementById('conn');
        new MutationObserver(() => window.connTexts.push(conn.textContent)).observe(conn, { childList: true, characterData: true, subtree: true });
      });`);
    await page.goto(stack.plan.urls[0], { waitUntil: 'load', timeout: WAIT_MS });
  });

  afterAll(async () => {
    if (page) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'sample-page.png'), fullPage: true }).catch(() => undefined);
    }
    await browser?.close();
    await stack?.stop();
  });

  it('is served through the proxy by the app instances', async () => {
    expect(await page.title()).toBe('Portico sample app');
    await page.waitForFunction(`/^app-\\d+$/.test(document.getElementById('instance').textContent)`, null, { timeout: WAIT_MS });
  });

  it(`climbs the session counter on every click of "Ask again" (${CLICKS} clicks), on one instance`, async () => {
    await historyLength(page, 1);
    for (let click = 1; click <= CLICKS; click++) {
      await page.click('#again');
      await historyLength(page, 1 + click);
    }
    // #history lists the answers newest first, "instance → counter".
    const answers = (await page.locator('#history li').allTextContents()).reverse();
    const home = answers[0].split(' → ')[0];
    expect(answers).toEqual(Array.from({ length: CLICKS + 1 }, (_, i) => `${home} → ${i + 1}`));
    expect(await page.textContent('#counter')).toBe(String(CLICKS + 1));
  });

  it('connects the chat by long-polling, then upgrades to WebSocket', async () => {
    await page
      .waitForFunction(`document.getElementById('conn').textContent === 'connected via websocket'`, null, { timeout: WAIT_MS })
      .catch(async () => {
        throw new Error(`the chat never showed "connected via websocket"; it showed: ${JSON.stringify(await connTexts(page))}`);
      });
    const texts = await connTexts(page);
    expect(texts.indexOf('connected via polling')).toBeGreaterThanOrEqual(0);
    expect(texts.indexOf('connected via polling')).toBeLessThan(texts.indexOf('connected via websocket'));
    expect(websockets.filter((url) => /\/socket\.io\/\?.*transport=websocket/.test(url))).toHaveLength(1);
  });

  it('sends a message that comes back into the page', async () => {
    const text = `hello from Chromium ${Date.now()}`;
    await page.fill('#message', text);
    await page.click('#message-form button[type="submit"]');
    await page.locator('#messages li', { hasText: text }).waitFor({ timeout: WAIT_MS });
    expect(await page.inputValue('#message')).toBe('');
  });

  it('shows no console error and no failed request', () => {
    expect({ consoleErrors, failedRequests }).toEqual({ consoleErrors: [], failedRequests: [] });
  });
});

/** Waits until the page's answer history holds `n` entries (one per /api/whoami answered). */
async function historyLength(page: Page, n: number): Promise<void> {
  await page.waitForFunction(`document.querySelectorAll('#history li').length >= ${n}`, null, { timeout: WAIT_MS });
}

function connTexts(page: Page): Promise<string[]> {
  return page.evaluate<string[]>('window.connTexts');
}

/** Free ports on 127.0.0.1: http, https (reserved, not bound), admin, then `count` consecutive app ports. */
async function freePorts(count: number): Promise<{ http: number; https: number; admin: number; app: number }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const ports = Array.from({ length: 3 + count }, (_, i) => base + i);
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return { http: base, https: base + 1, admin: base + 2, app: base + 3 };
  }
  throw new Error('no free ports');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer().once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
