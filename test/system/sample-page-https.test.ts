// The sample page over HTTPS and h2, as a user who trusted `npm start`'s local CA meets it: the CA
// trusted in a throwaway NSS database (what the printed certutil command does; Chromium's HOME
// points at it), the page opened at https://localhost:<port>/ in headless Chromium. Besides what the
// HTTP test checks: every request goes over h2, and Socket.IO's WebSocket rides on that same h2
// connection as an RFC 8441 extended CONNECT, which the proxy tunnels to the instance that holds
// the session (its status shows the tunnel there, and Chromium holds a single connection to it).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startLocalStack, type LocalStack } from '../../infra/local/stack';
import { describeWithChromiumAndCertutil, homeTrusting, launchChromium } from '../helpers/chromium';
import { askAgain, chat, connectedViaWebSocket, freeStackPorts, recordConnectionTexts, recordSocketIoTraffic, upgradedSession, WAIT_MS, watchProblems, type PageProblems, type SocketIoTraffic } from '../helpers/sample-page';

const ROOT = join(__dirname, '..', '..');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const INSTANCES = 4;
const CLICKS = 5;

jest.setTimeout(120_000);

describeWithChromiumAndCertutil('the sample page over HTTPS and h2 through `npm start`, in Chromium trusting the local CA', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'portico-page-h2-'));
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;
  let problems: PageProblems;
  /** Every answer the page got: its URL, protocol as the browser saw it, and the instance that gave it. */
  const answers: { url: string; instance: string | undefined }[] = [];
  let traffic: SocketIoTraffic;
  const handshakes: { status: number }[] = [];
  const stackLog: string[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
    const ports = await freeStackPorts(INSTANCES);
    stack = await startLocalStack(
      { instances: INSTANCES, httpPort: ports.http, httpsPort: ports.https, adminPort: ports.admin, appPort: ports.app, caDir: join(scratch, 'local-ca') },
      { root: ROOT, write: (line) => stackLog.push(line) },
    );
    browser = await launchChromium({ home: homeTrusting(join(scratch, 'home'), stack.certificates.caFile) });
    page = await browser.newPage();
    problems = watchProblems(page);
    page.on('response', (res) => answers.push({ url: res.url(), instance: res.headers()['x-instance'] }));
    traffic = recordSocketIoTraffic(page);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    cdp.on('Network.webSocketHandshakeResponseReceived', (e) => handshakes.push({ status: e.response.status }));
    await recordConnectionTexts(page);
    await page.goto(stack.plan.httpsUrls[0], { waitUntil: 'load', timeout: WAIT_MS });
  });

  afterAll(async () => {
    if (page) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'sample-page-https.png'), fullPage: true }).catch(() => undefined);
    }
    await browser?.close();
    await stack?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('is served over HTTPS with the local certificate, trusted through the CA alone', async () => {
    expect(page.url()).toBe(stack.plan.httpsUrls[0]);
    expect(await page.title()).toBe('Portico sample app');
    await page.waitForFunction(`/^app-\\d+$/.test(document.getElementById('instance').textContent)`, null, { timeout: WAIT_MS });
  });

  it(`climbs the session counter on every click of "Ask again" (${CLICKS} clicks), on one instance`, async () => {
    const history = await askAgain(page, CLICKS);
    const home = history[0].split(' → ')[0];
    expect(history).toEqual(Array.from({ length: CLICKS + 1 }, (_, i) => `${home} → ${i + 1}`));
  });

  it('loads the page and every request over h2', async () => {
    const protocols = await page.evaluate<string[][]>(
      `performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).map((e) => [e.name, e.nextHopProtocol])`,
    );
    expect(protocols.length).toBeGreaterThan(3);
    expect(protocols.filter(([, protocol]) => protocol !== 'h2')).toEqual([]);
  });

  it('connects the chat by long-polling, then upgrades to WebSocket over the h2 connection (RFC 8441)', async () => {
    await connectedViaWebSocket(page);
    // The network's record, not the status text: Socket.IO may finish the upgrade before its
    // 'connect' event, and then the page never shows "connected via polling".
    const session = upgradedSession(traffic);
    expect(session.websockets).toEqual([expect.stringMatching(/^wss:\/\/localhost:\d+\/socket\.io\/\?.*transport=websocket/)]);
    expect(session.handshakes).toEqual([200]);
    expect(session.polls.length).toBeGreaterThan(0);
    expect(session.polls.filter((status) => status !== 200)).toEqual([]);
    // Over HTTP/1.1 a WebSocket handshake answers 101; over h2 (RFC 8441 §5) the CONNECT gets 200.
    expect(handshakes).toEqual([{ status: 200 }]);
  });

  it('tunnels that WebSocket on the one h2 connection Chromium holds to the proxy', async () => {
    // An HTTP/1.1 upgrade cannot share an h2 connection: one connection and one open tunnel at the
    // proxy mean the tunnel came in as an extended CONNECT stream.
    expect(establishedTo(stack.plan.proxy.publish.https)).toBe(1);
    expect((await tunnelsPerInstance()).reduce((sum, [, n]) => sum + Number(n), 0)).toBe(1);
  });

  it('sends a message that comes back into the page', async () => {
    await chat(page, `hello over h2 ${Date.now()}`);
  });

  it('sends every request of this client to one instance, the WebSocket tunnel included', async () => {
    const instances = new Set(answers.map((a) => a.instance).filter((i) => i !== undefined));
    expect(instances.size).toBe(1);
    const [home] = instances;
    expect(await tunnelsPerInstance()).toEqual(stack.plan.apps.map((a) => [a.id, a.id === home ? 1 : 0]));
  });

  it('shows no console error and no failed request', () => {
    expect(problems).toEqual({ consoleErrors: [], failedRequests: [] });
  });

  /** [instance id, open tunnels] from the proxy's admin status. */
  async function tunnelsPerInstance(): Promise<[string, number][]> {
    const res = await fetch(`${stack.plan.proxy.admin.url}api/status`, { signal: AbortSignal.timeout(5_000) });
    const status = (await res.json()) as { upstreams: { app: { servers: { id: string; tunnels: number }[] } } };
    return status.upstreams.app.servers.map((s) => [s.id, s.tunnels]);
  }
});

/** TCP connections established to 127.0.0.1:port (the proxy's ends of them), from `ss`. */
function establishedTo(port: number): number {
  const lines = execFileSync('ss', ['-Htn', 'state', 'established', `( sport = :${port} )`]).toString().trim();
  return lines === '' ? 0 : lines.split('\n').length;
}
