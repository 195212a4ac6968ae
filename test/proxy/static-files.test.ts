// The static action against real files in a temp directory, through the real proxy: types,
// validators and 304s, index files, try_files and the fallback upstream, directory redirects,
// methods, expires, precompressed siblings, alias, and the route's response header rules.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { KEEP_BYTES } from '../../proxy/src/static/open-file-cache';
import { request, startBackend } from '../helpers/servers';
import { makeTree, staticProxy } from './static-support';

jest.setTimeout(10_000);

const HTML = '<!doctype html><title>home</title>';

describe('a static route serving a file', () => {
  it('sends its bytes with the type, length, NGINX-style ETag, Last-Modified and Accept-Ranges', async () => {
    const dir = makeTree({ 'index.html': HTML, 'app.js': 'let a = 1;', 'data.bin': Buffer.from([0, 1, 2]), 'notes.unknownext': 'x' });
    const mtime = new Date('2024-05-06T07:08:09Z');
    fs.utimesSync(path.join(dir, 'app.js'), mtime, mtime);
    const { url } = await staticProxy({ root: dir });
    const js = await request(`${url}/app.js`);
    expect(js.status).toBe(200);
    expect(js.body.toString()).toBe('let a = 1;');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['content-length']).toBe('10');
    expect(js.headers.etag).toBe(`"${(mtime.getTime() / 1000).toString(16)}-a"`);
    expect(js.headers['last-modified']).toBe('Mon, 06 May 2024 07:08:09 GMT');
    expect(js.headers['accept-ranges']).toBe('bytes');
    expect(js.headers['cache-control']).toBeUndefined();
    expect((await request(`${url}/index.html`)).headers['content-type']).toBe('text/html; charset=utf-8');
    expect((await request(`${url}/data.bin`)).headers['content-type']).toBe('application/octet-stream');
    expect((await request(`${url}/notes.unknownext`)).headers['content-type']).toBe('application/octet-stream');
  });

  it('answers HEAD with the head of GET and no body', async () => {
    const dir = makeTree({ 'a.txt': 'hello' });
    const { url } = await staticProxy({ root: dir });
    const head = await request(`${url}/a.txt`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('5');
    expect(head.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(head.body.length).toBe(0);
  });

  it('serves an empty file as 200 with Content-Length 0', async () => {
    const { url } = await staticProxy({ root: makeTree({ 'empty.txt': '' }) });
    const reply = await request(`${url}/empty.txt`);
    expect([reply.status, reply.headers['content-length'], reply.body.length]).toEqual([200, '0', 0]);
  });

  it('leaves the ETag out when etag is false', async () => {
    const { url } = await staticProxy({ root: makeTree({ 'a.txt': 'x' }), etag: false });
    const reply = await request(`${url}/a.txt`);
    expect(reply.headers.etag).toBeUndefined();
    expect(reply.headers['last-modified']).toBeDefined();
  });

  it('applies the route response header rules to static answers', async () => {
    const { url } = await staticProxy({ root: makeTree({ 'a.txt': 'x' }) }, { responseHeaders: { set: { 'x-served-by': 'static' }, remove: ['accept-ranges'] } });
    const reply = await request(`${url}/a.txt`);
    expect(reply.headers['x-served-by']).toBe('static');
    expect(reply.headers['accept-ranges']).toBeUndefined();
  });
});

describe('conditional requests on a static file', () => {
  async function served() {
    const { url } = await staticProxy({ root: makeTree({ 'a.txt': 'hello', 'b.txt': 'other' }), expires: '1h' });
    const first = await request(`${url}/a.txt`);
    return { url, etag: first.headers.etag!, lastModified: first.headers['last-modified']! };
  }

  it('answers 304 to a matching If-None-Match, with the validators and caching headers but no body', async () => {
    const { url, etag, lastModified } = await served();
    const reply = await request(`${url}/a.txt`, { headers: { 'if-none-match': `"nope", W/${etag}` } });
    expect(reply.status).toBe(304);
    expect(reply.headers.etag).toBe(etag);
    expect(reply.headers['last-modified']).toBe(lastModified);
    expect(reply.headers['cache-control']).toBe('max-age=3600');
    expect(reply.body.length).toBe(0);
    expect((await request(`${url}/a.txt`, { headers: { 'if-none-match': '*' } })).status).toBe(304);
    expect((await request(`${url}/a.txt`, { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
  });

  it('answers 304 to If-Modified-Since at or after the file time, 200 before it, and ignores a bad date', async () => {
    const { url, lastModified } = await served();
    const later = new Date(Date.parse(lastModified) + 60_000).toUTCString();
    const earlier = new Date(Date.parse(lastModified) - 60_000).toUTCString();
    expect((await request(`${url}/a.txt`, { headers: { 'if-modified-since': lastModified } })).status).toBe(304);
    expect((await request(`${url}/a.txt`, { headers: { 'if-modified-since': later } })).status).toBe(304);
    expect((await request(`${url}/a.txt`, { headers: { 'if-modified-since': earlier } })).status).toBe(200);
    expect((await request(`${url}/a.txt`, { headers: { 'if-modified-since': 'yesterday-ish' } })).status).toBe(200);
  });

  it('lets If-None-Match win over If-Modified-Since (RFC 9110 13.2.2)', async () => {
    const { url, lastModified } = await served();
    const reply = await request(`${url}/a.txt`, { headers: { 'if-none-match': '"stale"', 'if-modified-since': lastModified } });
    expect(reply.status).toBe(200);
  });

  it('answers 412 to a failed If-Match or If-Unmodified-Since', async () => {
    const { url, etag, lastModified } = await served();
    expect((await request(`${url}/a.txt`, { headers: { 'if-match': '"other"' } })).status).toBe(412);
    expect((await request(`${url}/a.txt`, { headers: { 'if-match': `W/${etag}` } })).status).toBe(412); // strong comparison
    expect((await request(`${url}/a.txt`, { headers: { 'if-match': etag } })).status).toBe(200);
    const earlier = new Date(Date.parse(lastModified) - 60_000).toUTCString();
    expect((await request(`${url}/a.txt`, { headers: { 'if-unmodified-since': earlier } })).status).toBe(412);
  });
});

describe('directories, index files and try_files', () => {
  it('serves the index of "/" and of a sub-directory, and redirects a directory without its slash (query kept)', async () => {
    const { url } = await staticProxy({ root: makeTree({ 'index.html': HTML, 'docs/index.html': 'docs home', 'docs/a.txt': 'a' }) });
    expect((await request(`${url}/`)).body.toString()).toBe(HTML);
    expect((await request(`${url}/docs/`)).body.toString()).toBe('docs home');
    const redirect = await request(`${url}/docs?x=1`);
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/docs/?x=1');
  });

  it('tries the index names in order', async () => {
    const { url } = await staticProxy({ root: makeTree({ 'd/default.htm': 'second', 'd/home.html': 'first' }), index: ['missing.html', 'home.html', 'default.htm'] });
    expect((await request(`${url}/d/`)).body.toString()).toBe('first');
  });

  it('never lists a directory: 403 without an index', async () => {
    const { url } = await staticProxy({ root: makeTree({ 'empty/': '', 'files/a.txt': 'a' }) });
    expect((await request(`${url}/files/`)).status).toBe(403);
    const reply = await request(`${url}/empty/`);
    expect(reply.status).toBe(403);
    expect(reply.body.toString()).not.toContain('a.txt');
  });

  it('answers 404 for a missing file, and for a path through a file', async () => {
    const { url } = await staticProxy({ root: makeTree({ 'a.txt': 'a' }) });
    expect((await request(`${url}/missing.txt`)).status).toBe(404);
    expect((await request(`${url}/a.txt/more`)).status).toBe(404);
    expect((await request(`${url}/a.txt/`)).status).toBe(404);
  });

  it('with try_files $uri $uri/ /index.html serves the app shell for unknown paths and a directory index without a redirect', async () => {
    const { url } = await staticProxy({ root: makeTree({ 'index.html': HTML, 'app.js': 'js', 'docs/index.html': 'docs' }), tryFiles: ['$uri', '$uri/', '/index.html'] });
    expect((await request(`${url}/app.js`)).body.toString()).toBe('js');
    const shell = await request(`${url}/some/client/route`);
    expect(shell.status).toBe(200);
    expect(shell.body.toString()).toBe(HTML);
    const docs = await request(`${url}/docs`);
    expect([docs.status, docs.body.toString()]).toEqual([200, 'docs']);
  });

  it('answers 404 when no try_files entry exists and there is no fallback', async () => {
    const { url } = await staticProxy({ root: makeTree({ 'a.txt': 'a' }), tryFiles: ['$uri', '$uri.html'] });
    expect((await request(`${url}/nothing`)).status).toBe(404);
  });

  it('substitutes $uri inside an entry ("$uri.html")', async () => {
    const { url } = await staticProxy({ root: makeTree({ 'about.html': 'about page' }), tryFiles: ['$uri', '$uri.html'] });
    expect((await request(`${url}/about`)).body.toString()).toBe('about page');
  });

  it('answers 404, without blocking, for a FIFO planted in the root', async () => {
    const dir = makeTree({ 'a.txt': 'a' });
    execFileSync('mkfifo', [path.join(dir, 'pipe')]);
    const { url } = await staticProxy({ root: dir });
    expect((await request(`${url}/pipe`)).status).toBe(404);
    expect((await request(`${url}/a.txt`)).status).toBe(200);
  });
});

describe('the fallback upstream (try_files ... @app)', () => {
  async function withApp(files: Parameters<typeof staticProxy>[0]) {
    const seen: string[] = [];
    const app = await startBackend((req, res, body) => {
      seen.push(`${req.method} ${req.url} ${body.toString()}`);
      res.setHeader('x-from', 'app');
      res.end('from app');
    });
    const proxy = await staticProxy({ ...files, fallback: 'app' }, {}, { upstreams: { app: { servers: [{ address: app.address }] } } });
    return { ...proxy, seen };
  }

  it('gets requests that no file answers, and files are still served', async () => {
    const { url, seen } = await withApp({ root: makeTree({ 'a.txt': 'a', 'dir/': '' }) });
    expect((await request(`${url}/a.txt`)).body.toString()).toBe('a');
    const missing = await request(`${url}/api/users?id=1`);
    expect([missing.status, missing.headers['x-from'], missing.body.toString()]).toEqual([200, 'app', 'from app']);
    expect((await request(`${url}/dir/`)).headers['x-from']).toBe('app'); // no index: no listing, the app answers
    expect(seen).toEqual(['GET /api/users?id=1 ', 'GET /dir/ ']);
  });

  it('gets other methods (with their body) for paths that are not files; a file answers them 405', async () => {
    const { url, seen } = await withApp({ root: makeTree({ 'a.txt': 'a' }), tryFiles: ['$uri'] });
    const post = await request(`${url}/api/login`, { method: 'POST', body: 'user=a' });
    expect(post.body.toString()).toBe('from app');
    expect(seen).toEqual(['POST /api/login user=a']);
    const onFile = await request(`${url}/a.txt`, { method: 'POST', body: 'x' });
    expect(onFile.status).toBe(405);
    expect(onFile.headers.allow).toBe('GET, HEAD');
  });
});

describe('methods', () => {
  it('answers 405 with Allow: GET, HEAD to other methods, and keeps the connection usable', async () => {
    const { url } = await staticProxy({ root: makeTree({ 'a.txt': 'a' }) });
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const reply = await request(`${url}/a.txt`, { method, body: method === 'OPTIONS' ? undefined : 'payload' });
      expect([method, reply.status, reply.headers.allow]).toEqual([method, 405, 'GET, HEAD']);
    }
  });
});

describe('expires', () => {
  it('sets Cache-Control max-age and an Expires that far ahead', async () => {
    const { url } = await staticProxy({ root: makeTree({ 'a.txt': 'a' }), expires: '2h' });
    const reply = await request(`${url}/a.txt`);
    expect(reply.headers['cache-control']).toBe('max-age=7200');
    const ahead = Date.parse(reply.headers.expires!) - Date.parse(reply.headers.date!);
    expect(ahead).toBe(7_200_000);
  });

  it('"max" means one year and immutable', async () => {
    const { url } = await staticProxy({ root: makeTree({ 'a.txt': 'a' }), expires: 'max' });
    const reply = await request(`${url}/a.txt`);
    expect(reply.headers['cache-control']).toBe('max-age=31536000, immutable');
    expect(Date.parse(reply.headers.expires!) - Date.parse(reply.headers.date!)).toBe(31_536_000_000);
  });
});

describe('precompressed siblings', () => {
  const files = { 'app.js': 'plain', 'app.js.br': 'BROTLI', 'app.js.gz': 'GZIPPED!', 'only-gz.css': 'css', 'only-gz.css.gz': 'GZCSS' };

  it.each([
    ['br, gzip', 'br', 'BROTLI'],
    ['gzip, deflate', 'gzip', 'GZIPPED!'],
    ['br;q=0.5, gzip', 'gzip', 'GZIPPED!'],
    ['gzip;q=0, br', 'br', 'BROTLI'],
    ['br;q=0, gzip;q=0', undefined, 'plain'],
    ['*', 'br', 'BROTLI'],
    ['*;q=0.2, gzip;q=0.5', 'gzip', 'GZIPPED!'],
    ['identity', undefined, 'plain'],
  ])('Accept-Encoding "%s" gets %s', async (accept, coding, body) => {
    const { url } = await staticProxy({ root: makeTree(files) });
    const reply = await request(`${url}/app.js`, { headers: { 'accept-encoding': accept } });
    expect(reply.headers['content-encoding']).toBe(coding);
    expect(reply.body.toString()).toBe(body);
    expect(reply.headers['content-length']).toBe(String(body.length));
    expect(reply.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(reply.headers.vary).toBe(coding ? 'Accept-Encoding' : undefined);
  });

  it('falls back to the other accepted coding when the best one has no sibling', async () => {
    const { url } = await staticProxy({ root: makeTree(files) });
    const reply = await request(`${url}/only-gz.css`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect([reply.headers['content-encoding'], reply.body.toString()]).toEqual(['gzip', 'GZCSS']);
  });

  it('gives the sibling its own ETag, so a cache never confuses the two', async () => {
    const { url } = await staticProxy({ root: makeTree(files) });
    const plain = await request(`${url}/app.js`);
    const br = await request(`${url}/app.js`, { headers: { 'accept-encoding': 'br' } });
    expect(br.headers.etag).not.toBe(plain.headers.etag);
  });

  it('keeps the bytes of a file and of its siblings apart within openFileCacheValid, whole, in ranges and for HEAD', async () => {
    const { url } = await staticProxy({ root: makeTree(files), openFileCacheValid: '1m' });
    const get = async (accept: string | null, range?: string, method = 'GET') => {
      const reply = await request(`${url}/app.js`, { method, headers: { ...(accept ? { 'accept-encoding': accept } : {}), ...(range ? { range } : {}) } });
      return [reply.status, reply.headers['content-encoding'] ?? null, reply.headers['content-length'], reply.body.toString()];
    };
    for (let round = 0; round < 2; round++) {
      expect(await get(null)).toEqual([200, null, '5', 'plain']);
      expect(await get('gzip')).toEqual([200, 'gzip', '8', 'GZIPPED!']);
      expect(await get('br')).toEqual([200, 'br', '6', 'BROTLI']);
      expect(await get('gzip', 'bytes=1-3')).toEqual([206, 'gzip', '3', 'ZIP']);
      expect(await get(null, 'bytes=-2')).toEqual([206, null, '2', 'in']);
      expect(await get('br', 'bytes=4-')).toEqual([206, 'br', '2', 'LI']);
      expect(await get('gzip', undefined, 'HEAD')).toEqual([200, 'gzip', '8', '']);
    }
  });

  it('serves the file itself when precompressed is false', async () => {
    const { url } = await staticProxy({ root: makeTree(files), precompressed: false });
    const reply = await request(`${url}/app.js`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect([reply.headers['content-encoding'], reply.body.toString()]).toEqual([undefined, 'plain']);
  });
});

describe('alias', () => {
  it('replaces the route prefix by the directory', async () => {
    const dir = makeTree({ 'logo.svg': '<svg/>', 'css/site.css': 'body{}' });
    const { url } = await staticProxy({ alias: dir }, { match: { path: '/assets/' } });
    const svg = await request(`${url}/assets/logo.svg`);
    expect([svg.status, svg.headers['content-type'], svg.body.toString()]).toEqual([200, 'image/svg+xml', '<svg/>']);
    expect((await request(`${url}/assets/css/site.css`)).body.toString()).toBe('body{}');
  });

  it('with a prefix without slash: redirects the bare prefix, and refuses NGINX\'s "/static../" alias traversal', async () => {
    const parent = makeTree({ 'secret.txt': 'TOP SECRET', 'public/a.txt': 'a' });
    const { url } = await staticProxy({ alias: path.join(parent, 'public') }, { match: { path: '/static' } });
    expect((await request(`${url}/static/a.txt`)).body.toString()).toBe('a');
    const bare = await request(`${url}/static`);
    expect([bare.status, bare.headers.location]).toEqual([301, '/static/']);
    const escape = await request(`${url}/static../secret.txt`);
    expect(escape.status).toBe(404);
    expect(escape.body.toString()).not.toContain('TOP SECRET');
  });
});

describe('files kept open between requests (open file cache)', () => {
  it('never serves a stale file with openFileCacheValid 0: a replaced, rewritten or deleted file is seen at the next request', async () => {
    const dir = makeTree({ 'a.txt': 'version 1' });
    const file = path.join(dir, 'a.txt');
    const { url } = await staticProxy({ root: dir, openFileCacheValid: 0 });
    const first = await request(`${url}/a.txt`);
    expect(first.body.toString()).toBe('version 1');
    // a deploy: a new file renamed over the old one
    fs.writeFileSync(`${file}.new`, 'version 2, longer');
    fs.renameSync(`${file}.new`, file);
    expect((await request(`${url}/a.txt`)).body.toString()).toBe('version 2, longer');
    // rewritten in place with the same size (within the same second, NGINX's ETag would not change)
    fs.writeFileSync(file, 'VERSION 3, LONGER');
    expect((await request(`${url}/a.txt`)).body.toString()).toBe('VERSION 3, LONGER');
    fs.unlinkSync(file);
    expect((await request(`${url}/a.txt`)).status).toBe(404);
  });

  it('keeps serving when a kept file is replaced by a symlink out of the root', async () => {
    const top = makeTree({ 'root/a.txt': 'inside', 'outside/secret.txt': 'TOP SECRET' });
    const { url } = await staticProxy({ root: path.join(top, 'root'), openFileCacheValid: 0 });
    expect((await request(`${url}/a.txt`)).body.toString()).toBe('inside');
    fs.unlinkSync(path.join(top, 'root/a.txt'));
    fs.symlinkSync(path.join(top, 'outside/secret.txt'), path.join(top, 'root/a.txt'));
    const reply = await request(`${url}/a.txt`);
    expect(reply.status).toBe(404);
    expect(reply.body.toString()).not.toContain('TOP SECRET');
  });

  it('within openFileCacheValid serves the file it opened, headers and bytes of one version, even after a symlink out is swapped in', async () => {
    const top = makeTree({ 'root/a.txt': 'version 1', 'outside/secret.txt': 'TOP SECRET' });
    const file = path.join(top, 'root/a.txt');
    const { url } = await staticProxy({ root: path.join(top, 'root'), openFileCacheValid: '1m' });
    const first = await request(`${url}/a.txt`);
    expect(first.body.toString()).toBe('version 1');
    fs.writeFileSync(`${file}.new`, 'version 2, longer');
    fs.renameSync(`${file}.new`, file);
    const trusted = await request(`${url}/a.txt`);
    expect(trusted.body.toString()).toBe('version 1');
    expect(trusted.headers.etag).toBe(first.headers.etag);
    expect(trusted.headers['content-length']).toBe('9');
    fs.unlinkSync(file);
    fs.symlinkSync(path.join(top, 'outside/secret.txt'), file);
    const swapped = await request(`${url}/a.txt`);
    expect(swapped.body.toString()).toBe('version 1');
  });

  it('looks at the path again once openFileCacheValid has passed: a replaced file is then served', async () => {
    const dir = makeTree({ 'a.txt': 'version 1' });
    const file = path.join(dir, 'a.txt');
    const { url } = await staticProxy({ root: dir, openFileCacheValid: '100ms' });
    expect((await request(`${url}/a.txt`)).body.toString()).toBe('version 1');
    fs.writeFileSync(`${file}.new`, 'version 2, longer');
    fs.renameSync(`${file}.new`, file);
    const deadline = Date.now() + 5_000;
    let body = '';
    while (Date.now() < deadline) {
      body = (await request(`${url}/a.txt`)).body.toString();
      if (body !== 'version 1') break;
    }
    expect(body).toBe('version 2, longer');
  });

  it('within openFileCacheValid answers a small file from the bytes it read: a rewrite in place shows once the window has passed', async () => {
    const dir = makeTree({ 'a.txt': 'version 1' });
    const file = path.join(dir, 'a.txt');
    const trusting = await staticProxy({ root: dir, openFileCacheValid: '1m' });
    expect((await request(`${trusting.url}/a.txt`)).body.toString()).toBe('version 1');
    fs.writeFileSync(file, 'VERSION 2'); // same inode, same size: the kept descriptor would read the new bytes
    expect((await request(`${trusting.url}/a.txt`)).body.toString()).toBe('version 1');
    const part = await request(`${trusting.url}/a.txt`, { headers: { range: 'bytes=2-5' } });
    expect(part.status).toBe(206);
    expect(part.body.toString()).toBe('rsio');

    const other = makeTree({ 'b.txt': 'version 3' });
    const brief = await staticProxy({ root: other, openFileCacheValid: '100ms' });
    expect((await request(`${brief.url}/b.txt`)).body.toString()).toBe('version 3');
    fs.writeFileSync(path.join(other, 'b.txt'), 'VERSION 4');
    const deadline = Date.now() + 5_000;
    let body = '';
    while (Date.now() < deadline && (body = (await request(`${brief.url}/b.txt`)).body.toString()) === 'version 3');
    expect(body).toBe('VERSION 4');
  });

  it('reads a file larger than KEEP_BYTES at every request, as NGINX does: a rewrite in place shows at once', async () => {
    const dir = makeTree({ 'big.txt': 'a'.repeat(KEEP_BYTES + 1) });
    const { url } = await staticProxy({ root: dir, openFileCacheValid: '1m' });
    expect((await request(`${url}/big.txt`)).body.toString()).toBe('a'.repeat(KEEP_BYTES + 1));
    fs.writeFileSync(path.join(dir, 'big.txt'), 'b'.repeat(KEEP_BYTES + 1));
    expect((await request(`${url}/big.txt`)).body.toString()).toBe('b'.repeat(KEEP_BYTES + 1));
  });

  it('never gives kept bytes to the pool of body memory: a proxied answer reusing pooled memory leaves a kept file intact', async () => {
    // 10 KiB: over the pool's smallest class (4 KiB), so a read into pooled memory would be
    // recycled once written and filled by the next proxied body of that class.
    const content = Buffer.alloc(10 * 1024);
    for (let i = 0; i < content.length; i++) content[i] = (i * 7 + 3) & 0xff;
    const dir = makeTree({ 'k.bin': content });
    const backend = await startBackend((_req, res) => res.end(Buffer.alloc(10 * 1024, 'z')));
    const { url } = await staticProxy(
      { alias: dir, openFileCacheValid: '1m' },
      { match: { path: '/files/' } },
      { upstreams: { app: { servers: [{ address: backend.address }] } }, routes: [{ match: { path: '/app/' }, proxy: { upstream: 'app' } }] },
    );
    const file = () => request(`${url}/files/k.bin`);
    expect((await file()).body.equals(content)).toBe(true); // read whole and kept
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 8; i++) expect((await request(`${url}/app/${i}`)).body.equals(Buffer.alloc(10 * 1024, 'z'))).toBe(true);
      expect((await file()).body.equals(content)).toBe(true);
      const part = await request(`${url}/files/k.bin`, { headers: { range: 'bytes=5000-5099' } });
      expect([part.status, part.body.equals(content.subarray(5000, 5100))]).toEqual([206, true]);
    }
  });

  it('trusts a kept file for one second by default', async () => {
    const dir = makeTree({ 'a.txt': 'version 1' });
    const file = path.join(dir, 'a.txt');
    const { url } = await staticProxy({ root: dir });
    const before = Date.now();
    expect((await request(`${url}/a.txt`)).body.toString()).toBe('version 1');
    fs.writeFileSync(`${file}.new`, 'version 2, longer');
    fs.renameSync(`${file}.new`, file);
    const next = await request(`${url}/a.txt`);
    // A slow machine may take a second between the two: only then may the new version show.
    if (Date.now() - before < 900) expect(next.body.toString()).toBe('version 1');
    let body = next.body.toString();
    while (body === 'version 1' && Date.now() - before < 5_000) body = (await request(`${url}/a.txt`)).body.toString();
    expect(body).toBe('version 2, longer');
    expect(Date.now() - before).toBeGreaterThanOrEqual(1_000);
  });
});
