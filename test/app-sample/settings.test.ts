// Settings from the environment, where the served files are found, and the log line format.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { createLog } from '../../app-sample/src/log';
import { readSettings } from '../../app-sample/src/settings';
import { resolvePublicDir, resolveSocketIoClientDir } from '../../app-sample/src/static-dirs';
import { PUBLIC_DIR } from './support';

describe('readSettings', () => {
  it('has defaults for everything', () => {
    const s = readSettings({});
    expect(s).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      instanceId: `${hostname()}-3000`,
      startupDelayMs: 0,
      shutdownDelayMs: 0,
      shutdownTimeoutMs: 10_000,
      accessLog: false,
    });
    expect(s.sessionSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(readSettings({}).sessionSecret).not.toBe(s.sessionSecret);
  });

  it('reads PORT, HOST, INSTANCE_ID and the timings', () => {
    const s = readSettings({
      PORT: '4001',
      HOST: '127.0.0.1',
      SHUTDOWN_TIMEOUT_MS: '2500',
      SHUTDOWN_DELAY_MS: '100',
      STARTUP_DELAY_MS: '50',
      SESSION_SECRET: 's3cret',
      ACCESS_LOG: 'true',
    });
    expect(s).toMatchObject({ port: 4001, host: '127.0.0.1', instanceId: `${hostname()}-4001`, shutdownTimeoutMs: 2500 });
    expect(s).toMatchObject({ shutdownDelayMs: 100, startupDelayMs: 50, sessionSecret: 's3cret', accessLog: true });
    expect(readSettings({ PORT: '4001', INSTANCE_ID: 'app-1' }).instanceId).toBe('app-1');
  });

  it.each([
    ['PORT', '70000'],
    ['PORT', 'http'],
    ['SHUTDOWN_TIMEOUT_MS', '-1'],
    ['SHUTDOWN_TIMEOUT_MS', '1.5'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => readSettings({ [name]: value })).toThrow(new RegExp(`^${name} must be an integer`));
  });
});

describe('static dirs', () => {
  const temps: string[] = [];
  const tempRoot = () => {
    const root = mkdtempSync(path.join(tmpdir(), 'app-sample-'));
    temps.push(root);
    return root;
  };
  afterAll(() => {
    for (const t of temps) rmSync(t, { recursive: true, force: true });
  });

  it('public/: PUBLIC_DIR wins', () => {
    expect(resolvePublicDir({ PUBLIC_DIR: '/srv/www' })).toBe('/srv/www');
  });

  it('public/: from the sources (src/../public)', () => {
    expect(resolvePublicDir({})).toBe(PUBLIC_DIR);
  });

  it('public/: from the bundle (dist/../app-sample/public), as in the repo and in the image', () => {
    const root = tempRoot();
    mkdirSync(path.join(root, 'dist'));
    mkdirSync(path.join(root, 'app-sample', 'public'), { recursive: true });
    writeFileSync(path.join(root, 'app-sample', 'public', 'index.html'), '<!doctype html>');
    expect(resolvePublicDir({}, path.join(root, 'dist'))).toBe(path.join(root, 'app-sample', 'public'));
  });

  it('socket.io client: beside the bundle (dist/../client-dist) first, else the installed package', () => {
    const root = tempRoot();
    mkdirSync(path.join(root, 'dist'));
    expect(resolveSocketIoClientDir({}, path.join(root, 'dist'))).toMatch(/node_modules[/\\]socket\.io[/\\]client-dist$/);
    mkdirSync(path.join(root, 'client-dist'));
    writeFileSync(path.join(root, 'client-dist', 'socket.io.js'), '// client');
    expect(resolveSocketIoClientDir({}, path.join(root, 'dist'))).toBe(path.join(root, 'client-dist'));
    expect(resolveSocketIoClientDir({ SOCKET_IO_CLIENT_DIR: '/nowhere' }, path.join(root, 'dist'))).toBe(path.join(root, 'client-dist'));
  });
});

describe('log lines', () => {
  it('are one line, prefixed with the instance, quoting values that need it', () => {
    const lines: string[] = [];
    const log = createLog('app-2', (l) => lines.push(l));
    log('listening', { addr: '0.0.0.0:3000', pid: 42 });
    log('chat leave', { nick: 'bob "b" smith', reason: undefined, ok: true, empty: '' });
    expect(lines).toEqual([
      '[app-2] listening addr=0.0.0.0:3000 pid=42\n',
      '[app-2] chat leave nick="bob \\"b\\" smith" ok=true empty=""\n',
    ]);
  });
});
