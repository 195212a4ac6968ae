import http from 'node:http';
import https from 'node:https';

const READY_TIMEOUT_MS = 20_000;
const POLL_MS = 100;

/** What to poll; an https URL is verified against `ca` (PEM), the local CA. */
export interface ReadyTarget {
  what: string;
  url: string;
  ca?: string;
}

/** Polls each URL until it answers 200; throws naming what never became ready. */
export async function waitUntilReady(targets: ReadyTarget[], timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const t of targets) {
    while (!(await answers200(t.url, t.ca))) {
      if (Date.now() > deadline) throw new Error(`${t.what} did not become ready at ${t.url} within ${timeoutMs / 1000}s`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}

export function answers200(url: string, ca?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    const req = get(url, { agent: false, timeout: 2000, ...(ca !== undefined && { ca }) }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

/**
 * Polls the proxy's admin status until every server of every upstream is `up`: with a mandatory
 * health check an instance gets traffic only after the proxy's own check passed, which can be a
 * check interval after the instance itself said ready.
 */
export async function waitUntilInService(statusUrl: string, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    const status = await getJson(statusUrl);
    if (status !== null) {
      const servers = Object.values(status.upstreams ?? {}).flatMap((u) => u.servers ?? []);
      const out = servers.filter((s) => s.state !== 'up');
      if (servers.length > 0 && out.length === 0) return;
      last = out.map((s) => `${s.id} ${s.state}`).join(', ');
    }
    if (Date.now() > deadline) throw new Error(`the proxy did not put every instance in service within ${timeoutMs / 1000}s (${last})`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

interface StatusJson {
  upstreams?: Record<string, { servers?: { id: string; state: string }[] }>;
}

function getJson(url: string): Promise<StatusJson | null> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 ? (JSON.parse(body) as StatusJson) : null);
        } catch {
          resolve(null);
        }
      });
    });
    req.on('error', () => resolve(null));
    req.on('timeout', () => req.destroy());
  });
}
