// The live dashboard in real headless Chromium, served by a real proxy's admin listener in front of
// three real upstreams: it renders every server with its state, a Drain click changes the server's
// state in the API and on the page, and it runs under the page's CSP without a console error.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { describeWithChromium, launchChromium } from '../helpers/chromium';
import { request, startBackend, startProxy, type RunningProxy } from '../helpers/servers';

const TOKEN = 'dashboard-test-token-0123456789';
const SERVERS = ['app-1', 'app-2', 'app-3'];
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts');

interface ServerStatus {
  id: string;
  state: string;
  requests: number;
}

/** The admin listener's bound address (PorticoProxy.adminAddress, the agreed admin API). */
function adminUrl(running: RunningProxy): string {
  const address = running.proxy.adminAddress();
  if (address === null) throw new Error('the admin listener is not open');
  return `http://127.0.0.1:${address.port}`;
}

/** Three upstreams behind the proxy, an admin listener that always wants the token, traffic sent. */
async function startStack(): Promise<{ running: RunningProxy; admin: string }> {
  const backends = await Promise.all(SERVERS.map(() => startBackend((_req, res) => res.end('ok'))));
  const running = await startProxy({
    upstreams: { app: { servers: backends.map((b, i) => ({ id: SERVERS[i], address: b.address })) } },
    routes: [{ name: 'main', proxy: { upstream: 'app' } }],
    admin: { listen: '127.0.0.1:0', token: TOKEN, requireToken: true },
  });
  for (let i = 0; i < 9; i++) expect((await request(`${running.url}/page-${i}`)).status).toBe(200);
  return { running, admin: adminUrl(running) };
}

async function serversFromApi(admin: string): Promise<ServerStatus[]> {
  const reply = await request(`${admin}/api/status`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(reply.status).toBe(200);
  return JSON.parse(reply.body.toString()).upstreams.app.servers;
}

const badge = (page: Page, id: string) => page.locator(`tr[data-server="${id}"] .badge`);

describeWithChromium('the live dashboard in headless Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  /** A fresh page that records console errors and uncaught exceptions. */
  async function openPage(): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
    return { page, errors };
  }

  test('renders every server with its state; Drain changes the state in the API and on the page', async () => {
    const { running, admin } = await startStack();
    const { page, errors } = await openPage();
    await page.goto(`${admin}/#token=${TOKEN}`);
    // the token leaves the address bar (kept in sessionStorage for reloads)
    expect(page.url()).toBe(`${admin}/`);

    for (const id of SERVERS) await badge(page, id).filter({ hasText: /^up$/ }).waitFor({ timeout: 5_000 });
    const api = await serversFromApi(admin);
    expect(api.map((s) => s.requests)).toEqual([3, 3, 3]);
    for (const id of SERVERS) expect(await page.locator(`tr[data-server="${id}"] td[data-field="requests"]`).textContent()).toBe('3');
    expect(await page.locator('tr[data-route="main"] td[data-field="requests"]').textContent()).toBe('9');

    const patched = page.waitForResponse((r) => r.request().method() === 'PATCH');
    await page.getByRole('button', { name: 'Drain app-2', exact: true }).click();
    const reply = await patched;
    expect([reply.status(), reply.url()]).toEqual([200, `${admin}/api/upstreams/app/servers/app-2`]);
    expect(reply.request().headers()['content-type']).toBe('application/json');
    expect(reply.request().postDataJSON()).toEqual({ state: 'draining' });

    expect((await serversFromApi(admin)).map((s) => [s.id, s.state])).toEqual([
      ['app-1', 'up'],
      ['app-2', 'draining'],
      ['app-3', 'up'],
    ]);
    await badge(page, 'app-2').filter({ hasText: /^draining$/ }).waitFor({ timeout: 5_000 });
    await page.getByRole('button', { name: 'Undrain app-2', exact: true }).waitFor({ timeout: 5_000 });
    expect(await badge(page, 'app-1').textContent()).toBe('up');

    // traffic now: new clients skip the draining server, and the chart draws a line per server
    for (let i = 0; i < 12; i++) expect((await request(`${running.url}/more-${i}`)).status).toBe(200);
    expect((await serversFromApi(admin)).map((s) => s.requests)).toEqual([9, 3, 9]);
    await page.locator('section[data-upstream="app"] .chart-caption span', { hasText: /^peak (?!0\.0 )/ }).waitFor({ timeout: 5_000 });
    expect(await page.locator('section[data-upstream="app"] svg.chart polyline').count()).toBe(3);
    expect(await page.locator('tr[data-server="app-2"] td[data-field="requests"]').textContent()).toBe('3');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 30_000);

  test('without the token the page says how to get it', async () => {
    const { admin } = await startStack();
    const { page } = await openPage();
    await page.goto(`${admin}/`);
    await page.getByRole('status').filter({ hasText: 'Token required: open the dashboard URL printed by the proxy or the stack' }).waitFor({ timeout: 5_000 });
    expect(await page.locator('tr[data-server]').count()).toBe(0);
    await page.close();
  }, 30_000);

  test('when the proxy goes away the page says it is disconnected and retrying', async () => {
    const { running, admin } = await startStack();
    const { page } = await openPage();
    await page.goto(`${admin}/#token=${TOKEN}`);
    await badge(page, 'app-1').filter({ hasText: /^up$/ }).waitFor({ timeout: 5_000 });
    await running.proxy.close(0);
    await page.getByRole('status').filter({ hasText: 'Disconnected from the proxy, retrying' }).waitFor({ timeout: 5_000 });
    await page.close();
  }, 30_000);
});
