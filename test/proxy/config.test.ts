import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../proxy/src/config/config-error';
import { configIssues, loadConfigFile, parseConfig, resolveConfig } from '../../proxy/src/config/load';
import { schemaJson } from '../../proxy/src/config/schema-json';

const minimal = {
  listeners: [{ port: 8080 }],
  upstreams: { api: { servers: [{ address: '127.0.0.1:3000' }] } },
  routes: [{ proxy: { upstream: 'api' } }],
};

describe('config validation', () => {
  it('accepts a minimal config and applies NGINX-like defaults', () => {
    const c = resolveConfig(minimal);
    expect(c.listeners).toEqual([{ name: 'listener-0', host: '0.0.0.0', port: 8080, tls: null, redirectToHttps: null }]);
    const api = c.upstreams.get('api')!;
    expect(api.balance).toBe('round-robin');
    expect(api.servers[0]).toMatchObject({ id: '127.0.0.1:3000', host: '127.0.0.1', port: 3000, weight: 1, maxFails: 1, failTimeout: 10_000, backup: false });
    expect([...api.retry.on]).toEqual(['error', 'timeout']);
    expect(api.retry.statuses.size).toBe(0);
    expect(api.retry.nonIdempotent).toBe(false);
    expect(c.timeouts.connect).toBe(5_000);
    expect(c.routes[0]).toMatchObject({ path: '/', hosts: [], pathRegex: null });
    expect(c.routes[0].action).toEqual({ kind: 'proxy', upstream: 'api', retryNonIdempotent: false, upgrades: ['websocket'] });
    expect(api.keepalive).toEqual({ timeout: 60_000, connections: 64 });
  });

  it('names every schema error by its path', () => {
    const issues = configIssues({
      listeners: [{ port: 'x', extra: 1 }],
      upstreams: { api: { servers: [{ address: '127.0.0.1:3000' }, { address: 'no-port' }], balance: 'fastest' } },
      routes: [{ proxy: {}, match: { path: 'no-slash' } }],
      timeouts: { connect: '5 sec' },
    });
    expect(issues).toEqual([
      'listeners[0].extra: unknown field',
      'listeners[0].port: expected a port number 0-65535',
      'upstreams.api.servers[1].address: expected host:port',
      'upstreams.api.balance: expected one of round-robin, least-conn, ip-hash, hash, random-two',
      'routes[0].match.path: expected a path prefix starting with /',
      'routes[0].proxy.upstream: required',
      'timeouts.connect: expected a duration: milliseconds, or a string like "500ms", "10s", "1m"',
    ]);
  });

  it('checks meaning once the shape is right', () => {
    const issues = configIssues({
      listeners: [{ port: 80 }, { port: 80 }],
      upstreams: {
        api: { servers: [{ address: 'a:1' }], balance: 'hash' },
        web: { servers: [{ address: 'b:0', backup: true }] },
      },
      routes: [
        { proxy: { upstream: 'apx' }, redirect: { location: '$nope' }, match: { pathRegex: '(' } },
        { requestHeaders: { set: { 'x-a': 'line\nbreak' } }, proxy: { upstream: 'api' } },
      ],
      trustedProxies: ['10.0.0.0/33'],
    });
    expect(issues).toEqual([
      'listeners[1]: duplicate listener 0.0.0.0:80',
      'upstreams.api.hashKey: required when balance is "hash"',
      'upstreams.web.servers[0].address: port must be 1-65535',
      'upstreams.web.servers: at least one server must not be a backup',
      'routes[0]: exactly one of proxy, redirect, static must be given',
      'routes[0].proxy.upstream: no upstream named "apx"',
      'routes[0].match.pathRegex: invalid regular expression: Invalid regular expression: /(/: Unterminated group',
      'routes[0].redirect.location: unknown variable $nope',
      'routes[1].requestHeaders.set.x-a: header value must not contain CR, LF or NUL',
      'trustedProxies[0]: expected an IP address or CIDR like 10.0.0.0/8',
    ]);
  });

  it('refuses a config with a ConfigError listing all issues', () => {
    expect.assertions(3);
    try {
      resolveConfig({ listeners: [], upstreams: {}, routes: [] }, 'bad.json');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues.map((i) => i.path)).toEqual(['listeners', 'routes']);
      expect((err as Error).message).toContain('bad.json: invalid config\n  listeners: expected at least one listener');
    }
  });

  it('converts NGINX-style durations to milliseconds', () => {
    const c = resolveConfig({ ...minimal, timeouts: { connect: '500ms', firstByte: '2m', upstreamIdle: 1500, clientKeepAlive: '1h' } });
    expect(c.timeouts).toMatchObject({ connect: 500, firstByte: 120_000, upstreamIdle: 1500, clientKeepAlive: 3_600_000 });
  });

  it('separates retry conditions into failure kinds and statuses', () => {
    const c = resolveConfig({ ...minimal, upstreams: { api: { servers: [{ address: 'a:1' }], retry: { on: ['error', 'http_502', 'http_429'], tries: 3, timeout: '10s' } } } });
    const retry = c.upstreams.get('api')!.retry;
    expect([...retry.on]).toEqual(['error']);
    expect([...retry.statuses]).toEqual([502, 429]);
    expect(retry).toMatchObject({ tries: 3, timeout: 10_000 });
  });

  it('inherits per-upstream passive health settings into servers unless overridden', () => {
    const c = resolveConfig({
      ...minimal,
      upstreams: { api: { maxFails: 3, failTimeout: '30s', servers: [{ address: 'a:1' }, { address: 'b:1', maxFails: 0, failTimeout: 1000 }] } },
    });
    const [a, b] = c.upstreams.get('api')!.servers;
    expect([a.maxFails, a.failTimeout, b.maxFails, b.failTimeout]).toEqual([3, 30_000, 0, 1000]);
  });
});

describe('config files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-config-'));

  it('loads JSON and YAML', async () => {
    writeFileSync(join(dir, 'a.json'), JSON.stringify(minimal));
    writeFileSync(join(dir, 'a.yaml'), 'listeners:\n  - port: 8080\nupstreams:\n  api:\n    servers:\n      - address: 127.0.0.1:3000\nroutes:\n  - proxy: { upstream: api }\n');
    const fromJson = await loadConfigFile(join(dir, 'a.json'));
    const fromYaml = await loadConfigFile(join(dir, 'a.yaml'));
    expect(fromYaml).toEqual(fromJson);
  });

  it('names a file it cannot read or parse', async () => {
    await expect(loadConfigFile(join(dir, 'missing.json'))).rejects.toThrow(/missing\.json: invalid config\n {2}cannot read: ENOENT/);
    expect(() => parseConfig('{ nope', 'broken.json')).toThrow(/broken\.json: invalid config\n {2}cannot parse: /);
  });
});

describe('JSON Schema file', () => {
  it('is up to date with the TypeBox source (run `npm run schema`)', () => {
    const checkedIn = readFileSync(join(__dirname, '..', '..', 'proxy', 'config.schema.json'), 'utf8');
    expect(checkedIn).toBe(schemaJson());
  });
});
