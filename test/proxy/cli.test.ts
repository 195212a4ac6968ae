import { writeFileSync } from 'node:fs';
import { request, sleep, startBackend } from '../helpers/servers';
import { runCli, startProxyProcess, writeConfig } from '../helpers/proxy-process';
import { certDir, filesOf, makeCertificate } from '../helpers/tls-certs';
import { curl } from '../helpers/tls-clients';

jest.setTimeout(20_000);

const valid = (address: string) => ({
  listeners: [{ port: 0, host: '127.0.0.1' }],
  upstreams: { app: { servers: [{ address }] } },
  routes: [{ proxy: { upstream: 'app' } }],
  log: { level: 'warn' },
});

describe('portico-proxy CLI', () => {
  it('--check says a valid file is valid and exits 0', async () => {
    const file = writeConfig(valid('127.0.0.1:3000'));
    const { code, stdout } = await runCli(['--config', file, '--check']);
    expect(code).toBe(0);
    expect(stdout).toBe(`portico-proxy: config ${file} is valid\n`);
  });

  it('refuses an invalid file naming every problem, and exits non-zero without starting', async () => {
    const file = writeConfig({ ...valid('nope'), routes: [{ proxy: { upstream: 'missing' } }] });
    const { code, stderr } = await runCli(['--config', file]);
    expect(code).toBe(1);
    expect(stderr).toBe(`portico-proxy: ${file}: invalid config\n  upstreams.app.servers[0].address: expected host:port\n`);
  });

  it('says what is missing without a config, and rejects unknown flags', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no config file given');
    const bad = await runCli(['--confg', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Unknown option '--confg'");
  });

  it('reads YAML too', async () => {
    const file = writeConfig('listeners: [{ port: 8080 }]\nupstreams: { app: { servers: [{ address: "a:1" }] } }\nroutes: [{ proxy: { upstream: app } }]\n', 'portico.yaml');
    expect((await runCli(['--check', '--config', file])).code).toBe(0);
  });

  it('reloads on SIGHUP, and keeps the running config when the new file is bad', async () => {
    const one = await startBackend((_q, res) => res.end('one'));
    const two = await startBackend((_q, res) => res.end('two'));
    const proxy = await startProxyProcess(valid(one.address));
    expect((await request(proxy.url)).body.toString()).toBe('one');

    writeFileSync(proxy.configFile, JSON.stringify({ ...valid(two.address), listeners: [{ port: proxy.port, host: '127.0.0.1' }] }));
    proxy.child.kill('SIGHUP');
    await waitFor(async () => (await request(proxy.url)).body.toString() === 'two');

    writeFileSync(proxy.configFile, '{"listeners": []}');
    proxy.child.kill('SIGHUP');
    await waitFor(async () => proxy.output().includes('reload refused'));
    expect(proxy.output()).toContain('listeners: expected at least one listener');
    expect((await request(proxy.url)).body.toString()).toBe('two');
  });

  it('names TLS listeners https:// in its ready line', async () => {
    const backend = await startBackend((_q, res) => res.end('over tls'));
    const cert = makeCertificate(certDir(), 'cli', ['localhost']);
    const proxy = await startProxyProcess({ ...valid(backend.address), listeners: [{ port: 0, host: '127.0.0.1', tls: { certificates: [filesOf(cert)] } }] });
    expect(proxy.output()).toMatch(new RegExp(`portico-proxy ready: https://127\\.0\\.0\\.1:${proxy.port}\n`));
    expect((await curl([`https://127.0.0.1:${proxy.port}/`])).stdout).toContain('over tls');
  });

  it('exits 0 on SIGTERM after in-flight requests finish', async () => {
    const slow = await startBackend((_q, res) => setTimeout(() => res.end('done'), 300));
    const proxy = await startProxyProcess(valid(slow.address));
    const inFlight = request(proxy.url);
    await sleep(100);
    const code = proxy.stop('SIGTERM');
    expect((await inFlight).body.toString()).toBe('done');
    expect(await code).toBe(0);
  });
});

async function waitFor(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(50);
  }
  throw new Error('condition not met in time');
}
