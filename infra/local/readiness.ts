import http from 'node:http';

const READY_TIMEOUT_MS = 20_000;
const POLL_MS = 100;

/** Polls each URL until it answers 200; throws naming what never became ready. */
export async function waitUntilReady(targets: { what: string; url: string }[], timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const t of targets) {
    while (!(await answers200(t.url))) {
      if (Date.now() > deadline) throw new Error(`${t.what} did not become ready at ${t.url} within ${timeoutMs / 1000}s`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}

export function answers200(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}
