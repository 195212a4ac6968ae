// The sample page as a newcomer meets it: `npm start`'s stack (startLocalStack, four instances),
// the page opened through the proxy in headless Chromium. The session counter must climb on every
// click, the chat must connect by long-polling then upgrade to WebSocket, a message must come back,
// and the browser must see no console error and no failed request. Both need the proxy's sticky
// cookie: without it the counter restarts on other instances and long-polling gets 400s.
// (sample-page-https.test.ts: the same page over HTTPS and h2.)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startLocalStack, type LocalStack } from '../../infra/local/stack';
import { describeWithChromium, launchChromium } from '../helpers/chromium';
import { askAgain, chat, connectedViaWebSocket, freeStackPorts, recordConnectionTexts, recordSocketIoTraffic, upgradedSession, WAIT_MS, watchProblems, type PageProblems, type SocketIoTraffic } from '../helpers/sample-page';

const ROOT = join(__dirname, '..', '..');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const INSTANCES = 4;
const CLICKS = 5;

jest.setTimeout(120_000);

describeWithChromium('the sample page through `npm start`, in Chromium', () => {
  const home = mkdtempSync(join(tmpdir(), 'portico-page-'));
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  let problems: PageProblems;
  const stackLog: string[] = [];
  let traffic: SocketIoTraffic;

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
    const ports = await freeStackPorts(INSTANCES);
    stack = await startLocalStack(
      { instances: INSTANCES, httpPort: ports.http, httpsPort: ports.https, adminPort: ports.admin, appPort: ports.app, caDir: join(home, 'local-ca') },
      { root: ROOT, write: (line) => stackLog.push(line) },
    );
    browser = await launchChromium();
    page = await browser.newPage();
    problems = watchProblems(page);
    traffic = recordSocketIoTraffic(page);
    await recordConnectionTexts(page);
    await page.goto(stack.plan.urls[0], { waitUntil: 'load', timeout: WAIT_MS });
  });

  afterAll(async () => {
    if (page) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'sample-page.png'), fullPage: true }).catch(() => undefined);
    }
    await browser?.close();
    await stack?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('is served through the proxy by the app instances', async () => {
    expect(await page.title()).toBe('Portico sample app');
    await page.waitForFunction(`/^app-\\d+$/.test(document.getElementById('instance').textContent)`, null, { timeout: WAIT_MS });
  });

  it(`climbs the session counter on every click of "Ask again" (${CLICKS} clicks), on one instance`, async () => {
    const answers = await askAgain(page, CLICKS);
    const home = answers[0].split(' → ')[0];
    expect(answers).toEqual(Array.from({ length: CLICKS + 1 }, (_, i) => `${home} → ${i + 1}`));
    expect(await page.textContent('#counter')).toBe(String(CLICKS + 1));
  });

  it('connects the chat by long-polling, then upgrades to WebSocket', async () => {
    await connectedViaWebSocket(page);
    // The network's record, not the status text: Socket.IO may finish the upgrade before its
    // 'connect' event, and then the page never shows "connected via polling".
    const session = upgradedSession(traffic);
    expect(session.websockets).toEqual([expect.stringMatching(/\/socket\.io\/\?.*transport=websocket/)]);
    expect(session.handshakes).toEqual([200]);
    expect(session.polls.length).toBeGreaterThan(0);
    expect(session.polls.filter((status) => status !== 200)).toEqual([]);
  });

  it('sends a message that comes back into the page', async () => {
    await chat(page, `hello from Chromium ${Date.now()}`);
    expect(await page.inputValue('#message')).toBe('');
  });

  it('shows no console error and no failed request', () => {
    expect(problems).toEqual({ consoleErrors: [], failedRequests: [] });
  });
});
