// Purge through the admin API (token, JSON), cache statistics in /api/status and /metrics, and a
// cache directory the proxy cannot use refused at start and on reload.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../proxy/src/config/load';
import { ConfigError } from '../../proxy/src/config/config-error';
import type { ProxyConfig } from '../../proxy/src/config/schema';
import { createLogger } from '../../proxy/src/log';
import { PorticoProxy } from '../../proxy/src/proxy';
import { simpleConfig, startBackend } from '../helpers/servers';
import { call, reload, startWithAdmin, TOKEN, type AdminProxy } from './admin-support';
import { noHeaders, put, tempDir } from './cache-store-support';

function cachedConfig(backend: string, dir: string): Omit<ProxyConfig, 'listeners'> {
  return { ...simpleConfig([backend]), caches: { mem: { maxSize: '1m' }, disk: { maxSize: '1m', disk: { path: dir, maxSize: '10m' } } } };
}

async function startCached(dir = tempDir()): Promise<AdminProxy & { dir: string }> {
  const backend = await startBackend();
  const running = await startWithAdmin(cachedConfig(backend.address, dir), { listen: '127.0.0.1:0', token: TOKEN, requireToken: true });
  return { ...running, dir };
}

const zone = (running: AdminProxy, name: string) => running.proxy.runtime.caches.get(name)!;
const purge = (running: AdminProxy, name: string, json: unknown, token: string | null = TOKEN) =>
  call(running.admin, `/api/caches/${name}/purge`, { method: 'POST', token: token ?? undefined, json });

describe('cache purge through the admin API', () => {
  test('purges one key and a prefix from memory and disk, answering how many entries went', async () => {
    const running = await startCached();
    const disk = zone(running, 'disk');
    for (const key of ['http://a/x', 'http://a/y', 'http://b/x']) put(disk, key, key);
    put(disk, 'http://a/x', 'gzip variant', { vary: [['accept-encoding', 'gzip']] });
    await disk.settled();
    let reply = await purge(running, 'disk', { key: 'http://a/x' });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ purged: 2 });
    reply = await purge(running, 'disk', { key: 'http://a/*' });
    expect(reply.json).toEqual({ purged: 1 });
    await disk.settled();
    expect(disk.lookup('http://a/y', noHeaders)).toBeNull();
    expect(disk.lookup('http://b/x', noHeaders)).not.toBeNull();
    expect(disk.tiers().disk!.entries).toBe(1);
    expect((await purge(running, 'mem', { key: 'nothing*' })).json).toEqual({ purged: 0 });
  });

  test('answers 404 for an unknown zone, 400 naming the field for a bad body, and needs the token and JSON', async () => {
    const running = await startCached();
    put(zone(running, 'mem'), 'k', 'v');
    expect((await purge(running, 'nope', { key: 'k' })).status).toBe(404);
    for (const body of [{}, { key: '' }, { key: 5 }, { key: 'k', extra: 1 }, ['k'], 'k']) {
      const reply = await purge(running, 'mem', body);
      expect(reply.status).toBe(400);
      expect(reply.json.issues.map((i: { path: string }) => i.path)).toEqual([expect.stringMatching(/^(key|extra|\(root\))$/)]);
    }
    expect((await purge(running, 'mem', { key: 'x'.repeat(20_000) })).json.issues[0].path).toBe('key');
    expect((await purge(running, 'mem', { key: 'k' }, null)).status).toBe(401);
    expect((await purge(running, 'mem', { key: 'k' }, 'wrong-token-wrong-token-wrong-token')).status).toBe(401);
    const form = await call(running.admin, '/api/caches/mem/purge', { method: 'POST', token: TOKEN, body: 'key=k', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    expect((await call(running.admin, '/api/caches/mem/purge', { token: TOKEN })).status).toBe(405);
    expect(zone(running, 'mem').lookup('k', noHeaders)).not.toBeNull(); // nothing above purged it
  });
});

describe('cache statistics', () => {
  test('the status API and the metrics report counters, entries and bytes per zone and tier', async () => {
    const running = await startCached();
    const disk = zone(running, 'disk');
    put(disk, 'k1', 'a'.repeat(100));
    put(disk, 'k2', 'b'.repeat(100));
    disk.stats.hits += 3; // the flow's counters
    disk.stats.misses += 2;
    await disk.settled();
    const status = await call(running.admin, '/api/status', { token: TOKEN });
    expect(status.json.caches.disk).toEqual({
      hits: 3,
      misses: 2,
      bypasses: 0,
      stale: 0,
      revalidated: 0,
      stores: 2,
      evictions: 0,
      entries: 2,
      memoryBytes: disk.usage().memoryBytes,
      diskBytes: disk.usage().diskBytes,
    });
    expect(status.json.caches.disk.diskBytes).toBeGreaterThan(200);
    expect(status.json.caches.mem).toMatchObject({ entries: 0, memoryBytes: 0, diskBytes: 0 });
    const metrics = (await call(running.admin, '/metrics', { token: TOKEN })).text;
    expect(metrics).toMatch(/^portico_cache_hits_total\{zone="disk"\} 3$/m);
    expect(metrics).toMatch(/^portico_cache_stores_total\{zone="disk"\} 2$/m);
    expect(metrics).toMatch(/^portico_cache_entries\{zone="disk",tier="disk"\} 2$/m);
    expect(metrics).toMatch(new RegExp(`^portico_cache_bytes\\{zone="disk",tier="memory"\\} ${disk.usage().memoryBytes}$`, 'm'));
    expect(metrics).toMatch(/^portico_cache_bytes\{zone="mem",tier="memory"\} 0$/m);
    expect(metrics).not.toMatch(/zone="mem",tier="disk"/);
  });

  test('a reload with the same zones keeps their content and counters', async () => {
    const running = await startCached();
    const before = zone(running, 'disk');
    put(before, 'k', 'v');
    const backend = await startBackend();
    await reload(running, { ...cachedConfig(backend.address, running.dir), admin: { listen: `127.0.0.1:${new URL(running.admin).port}`, token: TOKEN, requireToken: true } });
    expect(zone(running, 'disk')).toBe(before);
    const status = await call(running.admin, '/api/status', { token: TOKEN });
    expect(status.json.caches.disk).toMatchObject({ stores: 1, entries: 1 });
  });
});

describe('cache directories', () => {
  test('a disk path that cannot be created is refused at start, naming the field', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), '');
    const config = resolveConfig(
      { listeners: [{ host: '127.0.0.1', port: 0 }], ...simpleConfig(['127.0.0.1:1']), caches: { z: { disk: { path: join(dir, 'file', 'cache') } } } },
      'test',
    );
    const started = PorticoProxy.start(config, { logger: createLogger('silent') });
    await expect(started).rejects.toThrow(ConfigError);
    await expect(started).rejects.toThrow(/caches\.z\.disk\.path: cannot use .*file\/cache as a cache directory: ENOTDIR/);
  });

  test('a reload to an unusable disk path is refused and the running zones stay', async () => {
    const running = await startCached();
    put(zone(running, 'mem'), 'k', 'v');
    const runtime = running.proxy.runtime;
    writeFileSync(join(running.dir, 'file'), '');
    const backend = await startBackend();
    const bad = { ...cachedConfig(backend.address, running.dir), caches: { mem: { maxSize: '1m' }, other: { disk: { path: join(running.dir, 'file', 'x') } } } };
    await expect(reload(running, { ...bad, admin: { listen: `127.0.0.1:${new URL(running.admin).port}`, token: TOKEN, requireToken: true } })).rejects.toThrow(
      /caches\.other\.disk\.path/,
    );
    expect(running.proxy.runtime).toBe(runtime);
    expect(zone(running, 'mem').lookup('k', noHeaders)).not.toBeNull();
  });

  test('two zones on one directory are refused', async () => {
    const dir = tempDir();
    const config = resolveConfig(
      { listeners: [{ host: '127.0.0.1', port: 0 }], ...simpleConfig(['127.0.0.1:1']), caches: { a: { disk: { path: dir } }, b: { disk: { path: `${dir}/` } } } },
      'test',
    );
    await expect(PorticoProxy.start(config, { logger: createLogger('silent') })).rejects.toThrow(/caches\.b\.disk\.path: .* already the directory of cache zone "a"/);
  });
});
