// The bench's h2load runner against the installed h2load (nghttp2-client) and a real TLS server
// with the bench's own certificate: the report format it parses is the one h2load prints.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runH2load } from '../../bench/h2load';
import { stopAll } from '../../bench/procs';
import { benchCertificate } from '../../bench/tls-cert';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-h2load-'));
const cpu = `0-${os.availableParallelism() - 1}`;
const body = Buffer.alloc(1024, 'a');
const servers: { close(cb: () => void): void }[] = [];

afterAll(async () => {
  await stopAll();
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  rmSync(dir, { recursive: true, force: true });
});

async function listen(server: http2.Http2SecureServer | https.Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}/1k`;
}

function tlsOptions() {
  const files = benchCertificate(dir);
  return { cert: readFileSync(files.cert), key: readFileSync(files.key) };
}

describe('runH2load', () => {
  let url: string;
  beforeAll(async () => {
    const server = http2.createSecureServer({ ...tlsOptions(), allowHTTP1: true }, (_req, res) => res.end(body));
    url = await listen(server);
  });

  it.each([
    ['HTTPS/1.1 (--h1)', true, 'http/1.1'],
    ['h2', false, 'h2'],
  ])('measures %s with percentiles from the request log, then deletes the log', async (_name, h1, protocol) => {
    const r = await runH2load({ url, h1, durationS: 1, connections: 2, cpu, logDir: dir, latency: true });
    expect(r.protocol).toBe(protocol);
    expect(r.tls).toMatch(/^TLSv1\.3 TLS_/);
    expect(r.requests).toBeGreaterThan(10);
    expect(r.socketErrors + r.non2xx3xx).toBe(0);
    expect(r.p50Ms).toBeGreaterThan(0);
    expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tsv'))).toEqual([]);
  }, 20_000);

  it('refuses a run that fell back from h2 to HTTP/1.1', async () => {
    const h1only = await listen(https.createServer(tlsOptions(), (_req, res) => res.end(body)));
    await expect(runH2load({ url: h1only, h1: false, durationS: 1, connections: 1, cpu, logDir: dir, latency: false })).rejects.toThrow('h2load negotiated "http/1.1", expected h2');
  }, 20_000);
});
