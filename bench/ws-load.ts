// WebSocket echo load client, run in its own process pinned to the load CPU (as wrk is):
// CONNECTIONS connections each send a MESSAGE_BYTES binary message, wait for its echo and send
// the next (a closed loop), until DURATION_S seconds have passed or each has had MAX_MESSAGES
// echoed. Prints one JSON line (WsLoadReport) on stdout; exits 1 if the connections cannot open.
// Usage: node --import tsx bench/ws-load.ts URL CONNECTIONS DURATION_S MESSAGE_BYTES MAX_MESSAGES
import WebSocket from 'ws';
import { textBody } from './content/text-body';
import { percentile } from './stats';
import type { WsLoadReport } from './ws-load-run';

const OPEN_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  const [url, connections, durationS, bytes, maxMessages] = [process.argv[2], ...process.argv.slice(3, 7).map(Number)];
  if (!url || ![connections, durationS, bytes, maxMessages].every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error('usage: ws-load.ts URL CONNECTIONS DURATION_S MESSAGE_BYTES MAX_MESSAGES');
  }
  const message = textBody(bytes);
  const sockets = await Promise.all(Array.from({ length: connections }, () => open(url)));
  const rtts: number[] = [];
  let errors = 0;
  let running = connections;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const stop = () => {
    if (--running === 0) finish();
  };
  const started = performance.now();
  const deadline = started + durationS * 1000;

  for (const ws of sockets) {
    let sentAt = 0;
    let echoed = 0;
    let live = true;
    const end = () => {
      if (!live) return;
      live = false;
      stop();
    };
    const send = () => {
      sentAt = performance.now();
      ws.send(message, { binary: true });
    };
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!live) return;
      const now = performance.now();
      if (now > deadline) return end();
      if (!isBinary || data.length !== bytes) errors++;
      rtts.push(now - sentAt);
      if (++echoed >= maxMessages) return end();
      send();
    });
    ws.on('error', () => (errors++, end()));
    ws.on('close', () => {
      if (live) errors++;
      end();
    });
    send();
  }
  const timer = setTimeout(finish, durationS * 1000);
  await finished;
  clearTimeout(timer);
  const seconds = (Math.min(performance.now(), deadline) - started) / 1000;
  for (const ws of sockets) ws.terminate();
  const sorted = Float64Array.from(rtts).sort();
  const report: WsLoadReport = { messages: rtts.length, seconds, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), errors };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

/**
 * A zero masking key (RFC 6455 lets the client pick any; ws then skips masking and the copy it
 * makes): the shared load core does less per message, and the proxies forward frames unchanged.
 */
const zeroMask = (mask: Buffer) => void mask.fill(0);

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: OPEN_TIMEOUT_MS, generateMask: zeroMask });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`${url} answered ${res.statusCode} to the upgrade`)));
  });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`ws-load: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
