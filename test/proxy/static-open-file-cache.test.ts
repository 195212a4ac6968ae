// Missing paths remembered within openFileCacheValid (NGINX open_file_cache_errors): no stat of a
// missing .gz / .br sibling or other missing path within the window, bounded apart from kept files.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { MAX_MISSING, missingCount } from '../../proxy/src/static/missing-paths';
import { request, type Reply } from '../helpers/servers';
import { makeTree, staticProxy } from './static-support';

/** Polls `url` until its status is `status` (5 s at most); returns the last reply. */
async function pollUntil(url: string, status: number): Promise<Reply> {
  const deadline = Date.now() + 5_000;
  let reply = await request(url);
  while (reply.status !== status && Date.now() < deadline) reply = await request(url);
  return reply;
}

describe('missing paths within openFileCacheValid (open_file_cache_errors)', () => {
  it('looks for a missing precompressed sibling once per window: a .gz or .br created meanwhile is not seen', async () => {
    const dir = makeTree({ 'app.js': 'plain' });
    const { url } = await staticProxy({ root: dir, openFileCacheValid: '1m' });
    const headers = { 'accept-encoding': 'br, gzip' };
    expect((await request(`${url}/app.js`, { headers })).body.toString()).toBe('plain');
    fs.writeFileSync(path.join(dir, 'app.js.gz'), 'GZIPPED!');
    fs.writeFileSync(path.join(dir, 'app.js.br'), 'BROTLI');
    const again = await request(`${url}/app.js`, { headers });
    expect(again.headers['content-encoding']).toBeUndefined();
    expect(again.body.toString()).toBe('plain');
  });

  it('remembers nothing with openFileCacheValid 0: a sibling created after a request is served at the next one', async () => {
    const dir = makeTree({ 'app.js': 'plain' });
    const { url } = await staticProxy({ root: dir, openFileCacheValid: 0 });
    const headers = { 'accept-encoding': 'gzip' };
    expect((await request(`${url}/app.js`, { headers })).body.toString()).toBe('plain');
    fs.writeFileSync(path.join(dir, 'app.js.gz'), 'GZIPPED!');
    const next = await request(`${url}/app.js`, { headers });
    expect(next.headers['content-encoding']).toBe('gzip');
    expect(next.body.toString()).toBe('GZIPPED!');
  });

  it('serves a file created at a remembered missing path once the window has passed, not before', async () => {
    const dir = makeTree({});
    const { url } = await staticProxy({ root: dir, openFileCacheValid: '300ms' });
    const before = Date.now();
    expect((await request(`${url}/new.txt`)).status).toBe(404);
    fs.writeFileSync(path.join(dir, 'new.txt'), 'created');
    const next = await request(`${url}/new.txt`);
    // A slow machine may take the whole window between the two: only then may the file show.
    if (Date.now() - before < 250) expect(next.status).toBe(404);
    const served = await pollUntil(`${url}/new.txt`, 200);
    expect(served.body.toString()).toBe('created');
    expect(Date.now() - before).toBeGreaterThanOrEqual(300);
  });

  it('remembers a path through a file (ENOTDIR) as missing too', async () => {
    const dir = makeTree({ 'a.txt': 'a file' });
    const { url } = await staticProxy({ root: dir, openFileCacheValid: '1m' });
    expect((await request(`${url}/a.txt/x`)).status).toBe(404);
    fs.rmSync(path.join(dir, 'a.txt'));
    fs.mkdirSync(path.join(dir, 'a.txt'));
    fs.writeFileSync(path.join(dir, 'a.txt/x'), 'now there');
    expect((await request(`${url}/a.txt/x`)).status).toBe(404);
  });

  it('keeps at most MAX_MISSING missing paths, forgets the least recently used first, and never pushes out a kept file', async () => {
    const dir = makeTree({ 'a.txt': 'version 1' });
    const file = path.join(dir, 'a.txt');
    const { port, url } = await staticProxy({ root: dir, openFileCacheValid: '1m' });
    expect((await request(`${url}/a.txt`)).body.toString()).toBe('version 1');
    fs.writeFileSync(`${file}.new`, 'version 2, longer');
    fs.renameSync(`${file}.new`, file);
    // A missing path asked for all along stays remembered through the flood: its file is not seen.
    expect((await request(`${url}/hot.txt`)).status).toBe(404);
    fs.writeFileSync(path.join(dir, 'hot.txt'), 'hot');

    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const status = (p: string): Promise<number> =>
      new Promise((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: p, agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          })
          .on('error', reject);
      });
    try {
      const total = MAX_MISSING + 100;
      for (let start = 0; start < total; start += 64) {
        const batch = Array.from({ length: Math.min(64, total - start) }, (_, i) => status(`/flood-${start + i}`));
        expect(new Set(await Promise.all(batch))).toEqual(new Set([404]));
        expect(await status('/hot.txt')).toBe(404);
      }
      expect(missingCount()).toBe(MAX_MISSING);
      // The oldest flood path was forgotten (its new file is served); the newest is still remembered.
      fs.writeFileSync(path.join(dir, 'flood-0'), 'first');
      fs.writeFileSync(path.join(dir, `flood-${total - 1}`), 'last');
      expect(await status('/flood-0')).toBe(200);
      expect(await status(`/flood-${total - 1}`)).toBe(404);
      expect(missingCount()).toBe(MAX_MISSING);
    } finally {
      agent.destroy();
    }
    // The kept file is still the one opened before the flood (its path was not looked at again).
    expect((await request(`${url}/a.txt`)).body.toString()).toBe('version 1');
  });
});
