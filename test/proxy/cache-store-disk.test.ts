// The disk tier of a cache zone: write-through, survival across a restart, nothing half-written
// ever served, maxSize and inactive, and disk errors that never reach a request.
import { existsSync, readdirSync, readFileSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CacheRegistry } from '../../proxy/src/cache/cache-registry';
import type { StoredZone } from '../../proxy/src/cache/stored-zone';
import type { ResolvedCacheZone } from '../../proxy/src/config/resolved';
import { eventually, noHeaders, put, readBody, recordingLogger, setReadOnly, setWritable, tempDir, zoneConfig } from './cache-store-support';

function diskZone(dir: string, extra: Partial<ResolvedCacheZone> = {}, disk: Partial<NonNullable<ResolvedCacheZone['disk']>> = {}) {
  const recorded = recordingLogger();
  const config = zoneConfig({ disk: { path: dir, maxSize: 1024 * 1024, inactive: 600_000, ...disk }, ...extra });
  const registry = CacheRegistry.build(new Map([['z', config]]), undefined, recorded.log);
  return { zone: registry.get('z')!, registry, lines: recorded.lines };
}

const entryFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.entry'));

async function restart(dir: string, first: { registry: CacheRegistry }, extra: Partial<ResolvedCacheZone> = {}) {
  first.registry.close();
  const next = diskZone(dir, extra);
  await next.zone.ready;
  return next;
}

describe('disk tier', () => {
  test('writes a committed entry through to one file, served from memory meanwhile', async () => {
    const dir = tempDir();
    const { zone } = diskZone(dir);
    put(zone, 'http://a/x', 'hello');
    expect(zone.lookup('http://a/x', noHeaders)!.body!.toString()).toBe('hello'); // visible at once
    await zone.settled();
    expect(entryFiles(dir)).toHaveLength(1);
    expect(readdirSync(dir).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
    expect(zone.usage()).toEqual({ entries: 1, memoryBytes: expect.any(Number), diskBytes: statSync(join(dir, entryFiles(dir)[0])).size });
  });

  test('a new registry on the same directory serves the entry after a restart, then from memory', async () => {
    const dir = tempDir();
    const first = diskZone(dir);
    put(first.zone, 'http://a/x', 'survives', { vary: [['accept-encoding', 'gzip']], etag: '"v1"' });
    await first.zone.settled();
    const { zone } = await restart(dir, first);
    expect(zone.lookup('http://a/x', noHeaders)).toBeNull(); // another variant
    const entry = zone.lookup('http://a/x', () => 'gzip')!;
    expect(entry.etag).toBe('"v1"');
    expect(entry.body).toBeNull(); // on disk only: streamed from the file
    expect(await readBody(entry)).toBe('survives');
    expect(await readBody(entry, 1, 3)).toBe('urv');
    await eventually(() => zone.lookup('http://a/x', () => 'gzip')!.body !== null); // promoted by the hit
    expect(zone.usage().entries).toBe(1);
  });

  test('never serves a half-written entry left by a crash: temp, truncated and garbage entry files are removed with one log line', async () => {
    const dir = tempDir();
    const first = diskZone(dir);
    put(first.zone, 'good', 'good body');
    put(first.zone, 'cut', 'a body that a crash cut short');
    put(first.zone, 'moved', 'a file under another name');
    await first.zone.settled();
    first.registry.close();
    const names = new Map(entryFiles(dir).map((f) => [/"key":"(\w+)"/.exec(readFileSync(join(dir, f), 'latin1'))![1], f]));
    const fileOf = (key: string) => names.get(key)!;
    truncateSync(join(dir, fileOf('cut')), 10);
    writeFileSync(join(dir, 'ffffffffffffffffffffffffffffffffffffffff.entry'), readFileSync(join(dir, fileOf('moved'))));
    unlinkSync(join(dir, fileOf('moved')));
    writeFileSync(join(dir, '.tmp-999-1'), 'half a body');
    writeFileSync(join(dir, 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee.entry'), Buffer.alloc(5000, 0xff));
    const { zone, lines } = await restart(dir, { registry: CacheRegistry.build(new Map()) });
    expect(zone.lookup('good', noHeaders)).not.toBeNull();
    for (const key of ['cut', 'moved']) expect(zone.lookup(key, noHeaders)).toBeNull();
    expect(zone.usage().entries).toBe(1);
    expect(readdirSync(dir)).toEqual([fileOf('good')]);
    const warnings = lines.filter((l) => /unreadable/.test(l.msg));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ zone: 'z', msg: expect.stringContaining('removed 4') });
  });

  test('a zone closed while it reads the directory back removes nothing: the next owner judges the files (a restart racing a read-back)', async () => {
    const dir = tempDir();
    const garbage = join(dir, 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee.entry');
    writeFileSync(garbage, Buffer.alloc(5000, 0xff));
    const made: { registry?: CacheRegistry } = {};
    // The module object itself (an `import *` is a copy under the test transform).
    const fsPromises = require('node:fs/promises') as typeof import('node:fs/promises');
    const realOpen = fsPromises.open;
    // The read-back's first file open is where the registry closes: mid-read, deterministically.
    const open = jest.spyOn(fsPromises, 'open').mockImplementationOnce(async (...args: Parameters<typeof fsPromises.open>) => {
      made.registry!.close();
      return realOpen(...args);
    });
    const started = diskZone(dir);
    made.registry = started.registry;
    await started.zone.ready;
    const opens = open.mock.calls.length;
    open.mockRestore();
    expect(opens).toBe(1);
    expect(existsSync(garbage)).toBe(true);
    expect(started.lines.filter((l) => /unreadable/.test(l.msg))).toEqual([]);
  });

  test('an entry stored again and purged while the directory is read back stays purged (a purge racing the read-back)', async () => {
    const dir = tempDir();
    const first = diskZone(dir);
    put(first.zone, 'http://a/x', 'old');
    await first.zone.settled();
    first.registry.close();
    const fsPromises = require('node:fs/promises') as typeof import('node:fs/promises');
    const realOpen = fsPromises.open;
    const made: { zone?: StoredZone } = {};
    // Before the read-back opens the file: a client stores the key again, then it is purged. The
    // unlink the purge queued runs after this open, so the read-back reads a whole file.
    const open = jest.spyOn(fsPromises, 'open').mockImplementationOnce(async (...args: Parameters<typeof fsPromises.open>) => {
      put(made.zone!, 'http://a/x', 'new');
      await made.zone!.settled();
      expect(made.zone!.purge('http://a/x')).toBe(1);
      return realOpen(...args);
    });
    const started = diskZone(dir);
    made.zone = started.zone;
    await started.zone.ready;
    open.mockRestore();
    // Not read back as if found at start: not counted, not purged twice (CI once answered a second
    // purge with 2 for 1).
    expect(started.zone.usage().entries).toBe(0);
    expect(started.zone.purge('http://a/*')).toBe(0);
    await started.zone.settled();
    expect(started.zone.lookup('http://a/x', noHeaders)).toBeNull();
    expect(entryFiles(dir)).toEqual([]);
  });

  test('leaves files that are not cache entries alone (a disk.path shared with other files), with one log line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'the user\'s own file');
    writeFileSync(join(dir, 'index.html'), '<p>also theirs</p>');
    const { zone, lines } = await restart(dir, { registry: CacheRegistry.build(new Map()) });
    put(zone, 'k', 'v');
    await zone.settled();
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe("the user's own file");
    expect(readdirSync(dir).sort()).toEqual([...entryFiles(dir), 'index.html', 'notes.txt'].sort());
    const warnings = lines.filter((l) => /not cache entries/.test(l.msg));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].msg).toContain('2 files');
  });

  test('removes entries not used for `inactive` from both tiers, and keeps the ones in use', async () => {
    const dir = tempDir();
    const { zone } = diskZone(dir, {}, { inactive: 80 });
    put(zone, 'idle', 'x');
    put(zone, 'busy', 'y');
    await zone.settled();
    const start = Date.now();
    await eventually(() => zone.lookup('busy', noHeaders) !== null && zone.usage().entries === 1);
    expect(zone.lookup('idle', noHeaders)).toBeNull();
    expect(Date.now() - start).toBeGreaterThanOrEqual(60);
    expect(zone.lookup('busy', noHeaders)).not.toBeNull();
    await zone.settled();
    expect(entryFiles(dir)).toHaveLength(1);
    expect(zone.stats.evictions).toBe(1);
  });

  test('keeps the directory under disk.maxSize, removing the least recently used files', async () => {
    const dir = tempDir();
    // Memory holds one entry; the disk about three.
    const { zone } = diskZone(dir, { maxSize: 1500, maxEntrySize: 2000 }, { maxSize: 4000 });
    const body = Buffer.alloc(1000, 'b');
    for (const key of ['1', '2', '3']) {
      put(zone, key, body);
      await zone.settled();
    }
    zone.lookup('1', noHeaders); // 2 is now the least recently used
    put(zone, '4', body);
    await zone.settled();
    expect(zone.usage().diskBytes).toBeLessThanOrEqual(4000);
    expect(entryFiles(dir)).toHaveLength(3);
    expect(zone.lookup('2', noHeaders)).toBeNull();
    for (const key of ['1', '3', '4']) expect(zone.lookup(key, noHeaders)).not.toBeNull();
    expect(zone.stats.evictions).toBe(1);
  });

  test('the disk maxSize holds after a restart that finds more than fits, oldest files out first', async () => {
    const dir = tempDir();
    const first = diskZone(dir, {}, { maxSize: 100_000 });
    for (const key of ['old', 'mid', 'new']) {
      put(first.zone, key, Buffer.alloc(1000));
      await first.zone.settled();
      await new Promise((r) => setTimeout(r, 15)); // distinct file times
    }
    first.registry.close();
    const next = diskZone(dir, {}, { maxSize: 2500 });
    await next.zone.ready;
    await next.zone.settled();
    expect(next.zone.lookup('old', noHeaders)).toBeNull();
    expect(next.zone.lookup('new', noHeaders)).not.toBeNull();
    expect(entryFiles(dir)).toHaveLength(2);
  });

  test('an entry whose file was deleted under it is a clean miss', async () => {
    const dir = tempDir();
    const { zone } = diskZone(dir, { maxSize: 1500, maxEntrySize: 2000 });
    put(zone, 'a', Buffer.alloc(1000, 'a'));
    put(zone, 'b', Buffer.alloc(1000, 'b')); // pushes a out of memory: on disk only
    await zone.settled();
    const entry = zone.lookup('a', noHeaders)!;
    expect(entry.body).toBeNull();
    for (const f of entryFiles(dir)) unlinkSync(join(dir, f));
    // A reader that opened before the removal gets an error event, never a throw.
    await expect(readBody(entry)).rejects.toThrow(/ENOENT/);
    expect(zone.lookup('a', noHeaders)).toBeNull();
    expect(zone.usage().entries).toBe(1);
  });

  test('a directory that refuses writes drops the write with a log line naming the zone, and memory still serves', async () => {
    const dir = tempDir();
    const { zone, lines } = diskZone(dir);
    await zone.ready;
    await setReadOnly(dir);
    try {
      put(zone, 'k', 'v');
      put(zone, 'k2', 'v2');
      await zone.settled();
      expect(zone.lookup('k', noHeaders)!.body!.toString()).toBe('v');
      expect(zone.usage().diskBytes).toBe(0);
      const warnings = lines.filter((l) => /disk write .* failed/.test(l.msg));
      expect(warnings).toHaveLength(1); // one line per error code, not one per write
      expect(warnings[0]).toMatchObject({ zone: 'z', error: expect.stringMatching(/^(EPERM|EACCES)$/) });
    } finally {
      await setWritable(dir);
    }
    expect(existsSync(dir)).toBe(true);
  });

  test('a refresh rewrites the head of a disk-only entry and keeps its body, across a restart', async () => {
    const dir = tempDir();
    const first = diskZone(dir, { maxSize: 1500, maxEntrySize: 2000 });
    put(first.zone, 'a', Buffer.alloc(1000, 'a'), { etag: '"1"' });
    put(first.zone, 'b', Buffer.alloc(1000, 'b'));
    await first.zone.settled();
    const entry = first.zone.lookup('a', noHeaders)!;
    first.zone.refresh(entry, { headers: ['x-v', '2'], storedAt: 1, expiresAt: 2, staleWhileRevalidate: 0, staleIfError: 0, etag: '"2"', lastModified: null });
    await first.zone.settled();
    const { zone } = await restart(dir, first);
    const again = zone.lookup('a', noHeaders)!;
    expect(again.etag).toBe('"2"');
    expect(again.headers).toEqual(['x-v', '2']);
    expect(await readBody(again)).toBe('a'.repeat(1000));
    expect(entryFiles(dir)).toHaveLength(2);
  });

  test('purge removes the files of both tiers', async () => {
    const dir = tempDir();
    const { zone } = diskZone(dir);
    for (const k of ['http://a/1', 'http://a/2', 'http://b/1']) put(zone, k, k);
    await zone.settled();
    expect(zone.purge('http://a/*')).toBe(2);
    await zone.settled();
    expect(entryFiles(dir)).toHaveLength(1);
    const { zone: after } = await restart(dir, { registry: CacheRegistry.build(new Map()) });
    expect(after.lookup('http://a/1', noHeaders)).toBeNull();
    expect(after.lookup('http://b/1', noHeaders)).not.toBeNull();
  });
});

export type { StoredZone };
