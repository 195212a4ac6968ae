// Secrets a config file may leave out: the admin token (token, tokenFile, env PORTICO_ADMIN_TOKEN)
// and the sticky cookie key (key, env PORTICO_STICKY_KEY, else one random key per process).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, resolveConfig } from '../../proxy/src/config';
import type { ResolvedStickyCookie } from '../../proxy/src/config/resolved';

const base = {
  listeners: [{ port: 0 }],
  upstreams: { app: { servers: [{ address: '127.0.0.1:3000' }], sticky: { cookie: {} } } },
  routes: [{ proxy: { upstream: 'app' } }],
};

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

const stickyKey = (env: NodeJS.ProcessEnv) => (resolveConfig(base, 'test', env).upstreams.get('app')!.sticky as ResolvedStickyCookie).key;

describe('config secrets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-secrets-'));

  test('admin token from a file, trimmed; the file wins over the env', () => {
    const file = join(dir, 'token');
    writeFileSync(file, '  file-token-0123456789abcdef\n');
    const config = resolveConfig({ ...base, admin: { tokenFile: file } }, 'test', { PORTICO_ADMIN_TOKEN: 'env-token-0123456789abcdef' });
    expect(config.admin?.token).toBe('file-token-0123456789abcdef');
  });

  test('a token file that cannot be read, or holds a short token, is refused with the field named', () => {
    expect(issuesOf(() => resolveConfig({ ...base, admin: { tokenFile: join(dir, 'missing') } }, 'test', {}))).toEqual([
      `admin.tokenFile: cannot read ${join(dir, 'missing')}: ENOENT`,
    ]);
    const short = join(dir, 'short');
    writeFileSync(short, 'short\n');
    expect(issuesOf(() => resolveConfig({ ...base, admin: { tokenFile: short } }, 'test', {}))).toEqual([
      `admin.tokenFile: ${short}: token must be at least 16 characters`,
    ]);
  });

  test('admin token from env PORTICO_ADMIN_TOKEN when the file names none; a short one is refused', () => {
    expect(resolveConfig({ ...base, admin: {} }, 'test', { PORTICO_ADMIN_TOKEN: 'env-token-0123456789abcdef' }).admin?.token).toBe('env-token-0123456789abcdef');
    expect(resolveConfig({ ...base, admin: {} }, 'test', {}).admin?.token).toBeNull();
    expect(issuesOf(() => resolveConfig({ ...base, admin: {} }, 'test', { PORTICO_ADMIN_TOKEN: 'short' }))).toEqual([
      'env PORTICO_ADMIN_TOKEN: token must be at least 16 characters',
    ]);
  });

  test('sticky key: config, else env PORTICO_STICKY_KEY, else one random key that every reload of this process keeps', () => {
    const withKey = { ...base, upstreams: { app: { ...base.upstreams.app, sticky: { cookie: { key: 'config-key-0123456789' } } } } };
    expect((resolveConfig(withKey, 'test', { PORTICO_STICKY_KEY: 'env-key-0123456789ab' }).upstreams.get('app')!.sticky as ResolvedStickyCookie).key).toBe(
      'config-key-0123456789',
    );
    expect(stickyKey({ PORTICO_STICKY_KEY: 'env-key-0123456789ab' })).toBe('env-key-0123456789ab');
    const random = stickyKey({});
    expect(random.length).toBeGreaterThanOrEqual(32);
    expect(stickyKey({})).toBe(random);
    expect(issuesOf(() => resolveConfig(base, 'test', { PORTICO_STICKY_KEY: 'short' }))).toEqual(['env PORTICO_STICKY_KEY: key must be at least 16 characters']);
  });

  test('the admin listener is off unless the config names it', () => {
    expect(resolveConfig(base, 'test', {}).admin).toBeNull();
    expect(resolveConfig({ ...base, admin: {} }, 'test', {}).admin).toMatchObject({ host: '127.0.0.1', port: 9901, requireToken: false });
  });
});
