// The open file cache's bound must never close a descriptor a request is still reading: a file
// found (a kept, shared descriptor) stays in hand while its .br / .gz siblings are looked up, and
// keeping a sibling may push the oldest entry out of a full cache, which can be that very file.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { MAX_ENTRIES } from '../../proxy/src/static/open-file-cache';
import { request } from '../helpers/servers';
import { makeTree, staticProxy } from './static-support';

const PRIMARIES = 10;

describe('open file cache eviction', () => {
  it('serves a file whose kept descriptor is pushed out of a full cache while its siblings are looked up', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < PRIMARIES; i++) files[`p${i}.js`] = `primary ${i}`;
    for (let i = 0; i < MAX_ENTRIES - PRIMARIES; i++) files[`f${i}.txt`] = `filler ${i}`;
    const dir = makeTree(files);
    // A sibling that exists but is no file (a directory): kept by the cache, then passed over.
    for (let i = 0; i < PRIMARIES; i++) fs.mkdirSync(path.join(dir, `p${i}.js.br`));
    const { url } = await staticProxy({ root: dir, openFileCacheValid: '1m' });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const get = (p: string): Promise<number> =>
      new Promise((resolve, reject) => {
        http.get(`${url}${p}`, { agent }, (res) => res.resume().on('end', () => resolve(res.statusCode!))).on('error', reject);
      });
    try {
      // The primaries are kept first (the oldest entries), then fillers fill the cache.
      for (let i = 0; i < PRIMARIES; i++) expect(await get(`/p${i}.js`)).toBe(200);
      const fillers = await Promise.all(Array.from({ length: MAX_ENTRIES - PRIMARIES }, (_, i) => get(`/f${i}.txt`)));
      expect(fillers.every((s) => s === 200)).toBe(true);
      // Each request keeps p<i>.js.br, which pushes out the oldest entry: p<i>.js, still in hand.
      for (let i = 0; i < PRIMARIES; i++) {
        const reply = await request(`${url}/p${i}.js`, { headers: { 'accept-encoding': 'br' } });
        expect({ status: reply.status, body: reply.body.toString() }).toEqual({ status: 200, body: `primary ${i}` });
      }
    } finally {
      agent.destroy();
    }
  });

  it('drops the least recently used file when full: a file used all along stays kept through a flood of others', async () => {
    const files: Record<string, string> = { 'hot.txt': 'hot version 1' };
    for (let i = 0; i < MAX_ENTRIES + 100; i++) files[`f${i}.txt`] = `filler ${i}`;
    const dir = makeTree(files);
    const { url } = await staticProxy({ root: dir, openFileCacheValid: '1m' });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const get = (p: string): Promise<string> =>
      new Promise((resolve, reject) => {
        http
          .get(`${url}${p}`, { agent }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks).toString()));
          })
          .on('error', reject);
      });
    try {
      expect(await get('/hot.txt')).toBe('hot version 1');
      // A new version renamed over it: not seen while the kept file stays kept (trusted for the window).
      fs.writeFileSync(path.join(dir, 'hot.txt.new'), 'hot version 2');
      fs.renameSync(path.join(dir, 'hot.txt.new'), path.join(dir, 'hot.txt'));
      // More files than the cache holds, the hot one asked for between every batch of 100: it is
      // never the least recently used, so never dropped (dropped, it would be opened again: version 2).
      for (let start = 0; start < MAX_ENTRIES + 100; start += 100) {
        await Promise.all(Array.from({ length: Math.min(100, MAX_ENTRIES + 100 - start) }, (_, i) => get(`/f${start + i}.txt`)));
        expect(await get('/hot.txt')).toBe('hot version 1');
      }
      // The first fillers were the least recently used: dropped, so a new version of one is seen.
      fs.writeFileSync(path.join(dir, 'f0.txt.new'), 'filler 0, version 2');
      fs.renameSync(path.join(dir, 'f0.txt.new'), path.join(dir, 'f0.txt'));
      expect(await get('/f0.txt')).toBe('filler 0, version 2');
    } finally {
      agent.destroy();
    }
  });
});
