import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { stopAll } from '../../bench/procs';
import { parseWsLoad, runWsLoad } from '../../bench/ws-load-run';

const line = (fields: Record<string, unknown>) => `${JSON.stringify({ messages: 1000, seconds: 2, p50Ms: 1.5, p99Ms: 4, errors: 0, ...fields })}\n`;

describe('parseWsLoad', () => {
  it('reads the last line as the report: one echoed message counts as a request', () => {
    expect(parseWsLoad(`(node) a warning first\n${line({})}`)).toEqual({ requests: 1000, seconds: 2, rps: 500, p50Ms: 1.5, p99Ms: 4, socketErrors: 0, non2xx3xx: 0 });
  });

  it('refuses output without a JSON report', () => {
    expect(() => parseWsLoad('ws-load: connect ECONNREFUSED\n')).toThrow('no JSON report');
  });

  it('refuses a run in which no message came back', () => {
    expect(() => parseWsLoad(line({ messages: 0, p50Ms: null, p99Ms: null }))).toThrow('no message echoed');
  });

  it('refuses fields that are not counts', () => {
    expect(() => parseWsLoad(line({ errors: -1 }))).toThrow('errors is -1');
    expect(() => parseWsLoad(line({ seconds: 'soon' }))).toThrow('seconds is "soon"');
    expect(() => parseWsLoad(line({ messages: null }))).toThrow('messages is null');
  });
});

describe('runWsLoad (bench/ws-load.ts against a real ws server)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ws-load-test-'));
  const cpu = `0-${os.availableParallelism() - 1}`;
  const servers: WebSocketServer[] = [];
  afterAll(async () => {
    await stopAll();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    rmSync(dir, { recursive: true, force: true });
  });

  /** A ws server on a free port answering each message with reply(message). */
  async function server(reply: (data: Buffer) => Buffer): Promise<string> {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    servers.push(wss);
    wss.on('connection', (ws) => ws.on('message', (data: Buffer) => ws.send(reply(data), { binary: true })));
    await new Promise((r) => wss.once('listening', r));
    return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/echo`;
  }

  it('stops each connection after its message count, before the time limit', async () => {
    const url = await server((d) => d);
    const r = await runWsLoad({ url, connections: 3, durationS: 20, messageBytes: 1024, maxMessages: 5, cpu, logDir: dir });
    expect(r.requests).toBe(15);
    expect(r.seconds).toBeLessThan(5);
    expect(r.socketErrors).toBe(0);
    expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
  }, 20_000);

  it('stops at the time limit in a closed loop', async () => {
    const url = await server((d) => d);
    const r = await runWsLoad({ url, connections: 4, durationS: 1, messageBytes: 64, maxMessages: 1_000_000, cpu, logDir: dir });
    expect(r.requests).toBeGreaterThan(4);
    expect(r.seconds).toBeGreaterThan(0.9);
    expect(r.seconds).toBeLessThanOrEqual(1.01);
    expect(r.socketErrors).toBe(0);
  }, 20_000);

  it('counts echoes of the wrong size as errors', async () => {
    const url = await server((d) => d.subarray(1));
    const r = await runWsLoad({ url, connections: 2, durationS: 20, messageBytes: 100, maxMessages: 3, cpu, logDir: dir });
    expect(r.socketErrors).toBe(6);
  }, 20_000);

  it('fails with the reason when the upgrade is refused', async () => {
    await expect(runWsLoad({ url: 'ws://127.0.0.1:1/echo', connections: 1, durationS: 1, messageBytes: 10, maxMessages: 1, cpu, logDir: dir })).rejects.toThrow(
      /ws-load .* exited with 1: ws-load: .*ECONNREFUSED/,
    );
  }, 20_000);
});
