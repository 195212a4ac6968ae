// What both sample-page tests (HTTP and HTTPS through `npm start`'s stack, in Chromium) share:
// ports for the stack, the page's problems as they happen, and the page's own state.
import net from 'node:net';
import type { Page } from 'playwright-core';

/** Bound of every wait on the page: long enough for a loaded 2-core machine, short enough to fail fast. */
export const WAIT_MS = 15_000;

export interface PageProblems {
  consoleErrors: string[];
  failedRequests: string[];
}

/** Console errors, uncaught exceptions, failed requests and answers >= 400, collected from now on. */
export function watchProblems(page: Page): PageProblems {
  const problems: PageProblems = { consoleErrors: [], failedRequests: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => problems.consoleErrors.push(`uncaught: ${err.message}`));
  page.on('requestfailed', (req) => problems.failedRequests.push(`${req.method()} ${req.url()}: ${req.failure()?.errorText}`));
  page.on('response', (res) => {
    if (res.status() >= 400) problems.failedRequests.push(`${res.request().method()} ${res.url()}: HTTP ${res.status()}`);
  });
  return problems;
}

/**
 * Every text the chat's connection status shows, in order, in `window.connTexts` (the page
 * overwrites it as it goes). Browser code as a string: this project compiles without the DOM library.
 */
export async function recordConnectionTexts(page: Page): Promise<void> {
  await page.addInitScript(`
    window.connTexts = [];
    document.addEventListener('DOMContentLoaded', () => {
      const conn = document.getElementById('conn');
      new MutationObserver(() => window.connTexts.push(conn.textContent)).observe(conn, { childList: true, characterData: true, subtree: true });
    });`);
}

export function connTexts(page: Page): Promise<string[]> {
  return page.evaluate<string[]>('window.connTexts');
}

/** Socket.IO's requests as the network saw them: long-polls (with the session id they carry) and WebSockets. */
export interface SocketIoTraffic {
  polls: { sid: string | undefined; status: number }[];
  websockets: string[];
}

export function recordSocketIoTraffic(page: Page): SocketIoTraffic {
  const traffic: SocketIoTraffic = { polls: [], websockets: [] };
  page.on('response', (res) => {
    const url = new URL(res.url());
    if (url.pathname === '/socket.io/' && url.searchParams.get('transport') === 'polling') {
      traffic.polls.push({ sid: url.searchParams.get('sid') ?? undefined, status: res.status() });
    }
  });
  page.on('websocket', (ws) => traffic.websockets.push(ws.url()));
  return traffic;
}

/**
 * The session the one WebSocket upgraded: the handshakes' statuses (long-polls without a session
 * id) and the statuses of the long-polls that carried the WebSocket's session id, which only the
 * instance that opened the session can answer 200 (sticky sessions).
 */
export function upgradedSession(traffic: SocketIoTraffic): { websockets: string[]; handshakes: number[]; polls: number[] } {
  const sid = traffic.websockets.length === 1 ? new URL(traffic.websockets[0]).searchParams.get('sid') : null;
  return {
    websockets: traffic.websockets,
    handshakes: traffic.polls.filter((p) => p.sid === undefined).map((p) => p.status),
    polls: traffic.polls.filter((p) => sid !== null && p.sid === sid).map((p) => p.status),
  };
}

/** Waits until the chat says it is connected over WebSocket; fails with every status it showed. */
export async function connectedViaWebSocket(page: Page): Promise<void> {
  await page.waitForFunction(`document.getElementById('conn').textContent === 'connected via websocket'`, null, { timeout: WAIT_MS }).catch(async () => {
    throw new Error(`the chat never showed "connected via websocket"; it showed: ${JSON.stringify(await connTexts(page))}`);
  });
}

/** Waits until the page's answer history holds `n` entries (one per /api/whoami answered). */
export async function historyLength(page: Page, n: number): Promise<void> {
  await page.waitForFunction(`document.querySelectorAll('#history li').length >= ${n}`, null, { timeout: WAIT_MS });
}

/** Clicks "Ask again" `clicks` times; returns the history oldest first, "instance → counter". */
export async function askAgain(page: Page, clicks: number): Promise<string[]> {
  await historyLength(page, 1);
  for (let click = 1; click <= clicks; click++) {
    await page.click('#again');
    await historyLength(page, 1 + click);
  }
  return (await page.locator('#history li').allTextContents()).reverse();
}

/** Sends a chat message and waits for it to come back into the page. */
export async function chat(page: Page, text: string): Promise<void> {
  await page.fill('#message', text);
  await page.click('#message-form button[type="submit"]');
  await page.locator('#messages li', { hasText: text }).waitFor({ timeout: WAIT_MS });
}

/** Free ports on 127.0.0.1: http, https, admin, then `count` consecutive app ports. */
export async function freeStackPorts(count: number): Promise<{ http: number; https: number; admin: number; app: number }> {
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
