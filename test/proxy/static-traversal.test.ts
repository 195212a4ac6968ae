// Escape attempts against a static root over raw TCP (an HTTP client would normalize these paths
// before sending): every spelling of "..", NUL, backslashes, encoded slashes, and symlinks that
// lead out. None may ever return a byte of a file outside the root; each gets 400 or 404, and the
// proxy keeps serving.
import fs from 'node:fs';
import path from 'node:path';
import { rawRequest } from '../helpers/raw-http';
import { request } from '../helpers/servers';
import { makeTree, staticProxy } from './static-support';

jest.setTimeout(15_000);

const SECRET = 'TOP SECRET';

/** tmp/outside/secret.txt beside tmp/root/{public.txt,sub/page.txt}, and symlinks inside the root. */
function tree(): { root: string; top: string } {
  const top = makeTree({ 'outside/secret.txt': SECRET, 'outside/dir/secret.txt': SECRET, 'root/public.txt': 'public', 'root/sub/page.txt': 'page', 'root/evil.example/': '' });
  const root = path.join(top, 'root');
  fs.symlinkSync('../outside', path.join(root, 'out-dir'));
  fs.symlinkSync('../outside/secret.txt', path.join(root, 'out-file.txt'));
  fs.symlinkSync(path.join(top, 'outside/secret.txt'), path.join(root, 'out-absolute.txt'));
  fs.symlinkSync('public.txt', path.join(root, 'in-file.txt'));
  fs.symlinkSync('sub', path.join(root, 'in-dir'));
  fs.symlinkSync('/etc/passwd', path.join(root, 'passwd'));
  return { root, top };
}

const get = (port: number, target: string) => rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n`);

const ESCAPES = [
  '/../outside/secret.txt',
  '/sub/../../outside/secret.txt',
  '/%2e%2e/outside/secret.txt',
  '/%2E%2E/outside/secret.txt',
  '/.%2e/outside/secret.txt',
  '/%2e./outside/secret.txt',
  '/sub/%2e%2e/%2e%2e/outside/secret.txt',
  '/..%2foutside%2fsecret.txt',
  '/%2e%2e%2foutside%2fsecret.txt',
  '/sub%2f..%2f..%2foutside/secret.txt',
  '/..%5coutside%5csecret.txt',
  '/..\\outside\\secret.txt',
  '/sub\\..\\..\\outside\\secret.txt',
  '/public.txt%00',
  '/public.txt%00.html',
  '/%00/../outside/secret.txt',
  '/%c0%ae%c0%ae/outside/secret.txt', // overlong UTF-8 for "."
  '/%ff%fe/x',
  '/%2',
  '/%zz/secret.txt',
  '/..',
  '/sub/..',
  '/%2e%2e',
];

describe('a static root under attack', () => {
  it.each(ESCAPES)('refuses %s with 400', async (target) => {
    const { root } = tree();
    const { port } = await staticProxy({ root });
    const reply = await get(port, target);
    expect(reply.text).not.toContain(SECRET);
    expect(reply.status).toBe(400);
  });

  it.each(['/%252e%252e/outside/secret.txt', '/%252e%252e%252foutside%252fsecret.txt', '/sub/%252e%252e/%252e%252e/outside/secret.txt'])(
    'keeps the double-encoded %s literal: 404',
    async (target) => {
      const { root } = tree();
      const { port } = await staticProxy({ root });
      const reply = await get(port, target);
      expect(reply.text).not.toContain(SECRET);
      expect(reply.status).toBe(404);
    },
  );

  it('serves a literal file named "%2e%2e" for the double-encoded path (decoded exactly once)', async () => {
    const { root } = tree();
    fs.writeFileSync(path.join(root, '%2e%2e'), 'literal name');
    const { port } = await staticProxy({ root });
    const reply = await get(port, '/%252e%252e');
    expect(reply.status).toBe(200);
    expect(reply.text).toContain('literal name');
  });

  it.each(['/out-file.txt', '/out-absolute.txt', '/out-dir/secret.txt', '/out-dir/dir/secret.txt', '/passwd', '/out-dir/', '/out-dir'])(
    'refuses %s, a symlink that leads out of the root: 404',
    async (target) => {
      const { root } = tree();
      const { port } = await staticProxy({ root, index: ['secret.txt'] });
      const reply = await get(port, target);
      expect(reply.text).not.toContain(SECRET);
      expect(reply.text).not.toContain('root:');
      expect(reply.status).toBe(404);
    },
  );

  it('follows symlinks that stay inside the root', async () => {
    const { root } = tree();
    const { port } = await staticProxy({ root });
    expect((await get(port, '/in-file.txt')).text).toMatch(/\r\n\r\npublic$/);
    expect((await get(port, '/in-dir/page.txt')).text).toMatch(/\r\n\r\npage$/);
  });

  it('serves a root that is itself a symlink, and follows it at the next request when it is switched (a deploy; openFileCacheValid 0)', async () => {
    const top = makeTree({ 'release-1/v.txt': 'one', 'release-2/v.txt': 'two', 'outside/secret.txt': SECRET });
    const current = path.join(top, 'current');
    fs.symlinkSync('release-1', current);
    const { url } = await staticProxy({ root: current, openFileCacheValid: 0 });
    expect((await request(`${url}/v.txt`)).body.toString()).toBe('one');
    fs.symlinkSync('release-2', `${current}.next`);
    fs.renameSync(`${current}.next`, current);
    expect((await request(`${url}/v.txt`)).body.toString()).toBe('two');
  });

  it('normalizes harmless spellings the way NGINX does: "//", "/./", an encoded letter', async () => {
    const { root } = tree();
    const { port } = await staticProxy({ root });
    for (const target of ['//public.txt', '/./public.txt', '/sub//page.txt', '/%70ublic.txt', '/sub%2fpage.txt']) {
      const reply = await get(port, target);
      expect([target, reply.status]).toEqual([target, 200]);
    }
  });

  it('redirects "//evil.example" to a local path, never a protocol-relative one', async () => {
    const { root } = tree();
    const { port } = await staticProxy({ root });
    const reply = await get(port, '//evil.example');
    expect(reply.status).toBe(301);
    expect(reply.text).toMatch(/\r\nlocation: \/evil\.example\/\r\n/i);
  });

  it('keeps an alias directory closed the same way', async () => {
    const { root } = tree();
    const { port } = await staticProxy({ alias: root }, { match: { path: '/files/' } });
    for (const target of ['/files/../outside/secret.txt', '/files/%2e%2e/outside/secret.txt', '/files/..%2f..%2foutside/secret.txt', '/files/out-file.txt']) {
      const reply = await get(port, target);
      expect(reply.text).not.toContain(SECRET);
      expect([target, reply.status === 400 || reply.status === 404]).toEqual([target, true]);
    }
    expect((await get(port, '/files/public.txt')).status).toBe(200);
  });

  it('stays up and keeps serving after every attempt', async () => {
    const { root } = tree();
    const { port, url } = await staticProxy({ root });
    await Promise.all(ESCAPES.map((t) => get(port, t)));
    expect((await request(`${url}/public.txt`)).body.toString()).toBe('public');
  });
});
