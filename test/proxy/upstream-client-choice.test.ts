// Which upstream client the proxy uses: 'auto' keeps the native one while its self-test passes
// and falls back to undici with one warning line; PORTICO_UPSTREAM_CLIENT overrides the config.
import { Writable } from 'node:stream';
import pino from 'pino';
import { H1Pool } from '../../proxy/src/upstream/h1/h1-pool';
import { chooseUpstreamClient, createUpstreamClient, upstreamClientKind, UPSTREAM_CLIENT_ENV } from '../../proxy/src/upstream/upstream-client';
import { UndiciClient } from '../../proxy/src/upstream/undici-client';
import { request, simpleConfig, startBackend, startProxy } from '../helpers/servers';

/** A real pino logger whose lines are kept, parsed. */
function recordingLog() {
  const lines: { level: number; msg: string; reason?: string }[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}

const passing = () => null;
const failing = () => 'HTTPParser.kOnBody is missing';
const saved = process.env[UPSTREAM_CLIENT_ENV];

beforeEach(() => delete process.env[UPSTREAM_CLIENT_ENV]);
afterAll(() => {
  if (saved === undefined) delete process.env[UPSTREAM_CLIENT_ENV];
  else process.env[UPSTREAM_CLIENT_ENV] = saved;
  chooseUpstreamClient('auto', null);
});

describe('upstream client choice', () => {
  it("'auto' picks the native client when the self-test passes, without a log line", () => {
    const { log, lines } = recordingLog();
    expect(chooseUpstreamClient('auto', log, passing)).toBe('native');
    expect(chooseUpstreamClient('auto', log)).toBe('native'); // the real self-test, on this Node
    expect(upstreamClientKind()).toBe('native');
    expect(lines).toEqual([]);
  });

  it("'auto' falls back to undici with exactly one warn line naming the reason", async () => {
    const { log, lines } = recordingLog();
    expect(chooseUpstreamClient('auto', log, failing)).toBe('undici');
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, reason: 'HTTPParser.kOnBody is missing' });
    expect(lines[0].msg).toContain('undici');
    expect(createUpstreamClient('127.0.0.1', 1, { connectTimeout: 100, keepAliveTimeout: 100 })).toBeInstanceOf(UndiciClient);
  });

  it('an explicit choice skips the self-test', () => {
    const { log, lines } = recordingLog();
    expect(chooseUpstreamClient('native', log, failing)).toBe('native');
    expect(chooseUpstreamClient('undici', log, passing)).toBe('undici');
    expect(lines).toEqual([]);
  });

  it('PORTICO_UPSTREAM_CLIENT overrides the config; another value is ignored with a warning', async () => {
    const { log, lines } = recordingLog();
    process.env[UPSTREAM_CLIENT_ENV] = 'undici';
    expect(chooseUpstreamClient('native', log, passing)).toBe('undici');
    process.env[UPSTREAM_CLIENT_ENV] = 'native';
    expect(chooseUpstreamClient('auto', log, failing)).toBe('native');
    expect(lines).toEqual([]);
    process.env[UPSTREAM_CLIENT_ENV] = 'fast';
    expect(chooseUpstreamClient('undici', log, passing)).toBe('undici');
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => l.msg)).toEqual(['PORTICO_UPSTREAM_CLIENT must be native or undici; ignored']);
  });

  it('the proxy serves through the client its config names, unless the variable overrides it', async () => {
    const backend = await startBackend((_q, res) => res.end('ok'));
    const viaUndici = await startProxy({ ...simpleConfig([backend.address]), upstreamClient: 'undici' });
    expect((await request(viaUndici.url)).body.toString()).toBe('ok');
    expect(viaUndici.proxy.runtime.registry.allServers()[0].client).toBeInstanceOf(UndiciClient);

    process.env[UPSTREAM_CLIENT_ENV] = 'native';
    const overridden = await startProxy({ ...simpleConfig([backend.address]), upstreamClient: 'undici' });
    expect((await request(overridden.url)).body.toString()).toBe('ok');
    expect(overridden.proxy.runtime.registry.allServers()[0].client).toBeInstanceOf(H1Pool);
  });
});
