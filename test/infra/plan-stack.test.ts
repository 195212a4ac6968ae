import { configIssues } from '../../proxy/src/config/load';
import { planStack, type StackArgs } from '../../infra/plan';
import { APP_ASSET_PATHS, APP_PAGE_PATHS } from '../../infra/plan/app-routes';
import type { RouteConfig } from '../../proxy/src/config/schema';

const docker = (more: Partial<StackArgs> = {}): StackArgs => ({ stackName: 'web', target: 'docker', ...more });
const local = (more: Partial<StackArgs> = {}): StackArgs => ({ stackName: 'web', target: 'local', ...more });

describe('planStack sizing', () => {
  test.each([
    ['an explicit count', { instances: 3 }, 3],
    ['an explicit count over cores', { instances: 2, cores: 8 }, 2],
    ['one instance per core', { cores: 4 }, 4],
    ['fractional cores rounded down', { cores: 2.7 }, 2],
    ['at least one instance below one core', { cores: 0.5 }, 1],
  ])('sizes the fleet from %s', (_, args, count) => {
    expect(planStack(docker(args)).apps).toHaveLength(count);
    expect(planStack(local(args)).apps).toHaveLength(count);
  });
});

describe('planStack for docker', () => {
  const plan = planStack(docker({ instances: 3 }));

  test('names every app container after the stack, with a stable id', () => {
    expect(plan.apps.map((a) => [a.index, a.id, a.name])).toEqual([
      [0, 'app-1', 'web-app-1'],
      [1, 'app-2', 'web-app-2'],
      [2, 'app-3', 'web-app-3'],
    ]);
  });

  test('addresses apps by container name on port 3000, bound to every interface of the container', () => {
    expect(plan.apps.map((a) => a.address)).toEqual(['web-app-1:3000', 'web-app-2:3000', 'web-app-3:3000']);
    expect(plan.apps[1].env).toEqual({ PORT: '3000', HOST: '0.0.0.0', INSTANCE_ID: 'app-2', SHUTDOWN_DELAY_MS: '3000' });
  });

  test('keeps a stopping app answering (readyz 503) for one health-check interval and a second, none without the check', () => {
    expect(planStack(docker({ instances: 1, healthCheck: { interval: '5s' } })).apps[0].env.SHUTDOWN_DELAY_MS).toBe('6000');
    expect(planStack(docker({ instances: 1, healthCheck: false })).apps[0].env.SHUTDOWN_DELAY_MS).toBeUndefined();
  });

  test('puts the stack on its own network and publishes the proxy on 127.0.0.1:8080', () => {
    expect(plan.network).toBe('web-net');
    expect(plan.proxy).toMatchObject({
      name: 'web-proxy',
      configPath: '/etc/portico/config.json',
      listenPort: 8080,
      publish: { host: '127.0.0.1', http: 8080, https: 8443 },
    });
  });

  test('generates a proxy config that balances over every app, listening on 0.0.0.0:8080 and with TLS on 0.0.0.0:8443', () => {
    expect(plan.proxy.config).toEqual({
      listeners: [
        { name: 'http', host: '0.0.0.0', port: 8080 },
        { name: 'https', host: '0.0.0.0', port: 8443, tls: { certificates: [{ cert: '/etc/portico/tls/cert.pem', key: '/etc/portico/tls/key.pem' }] } },
      ],
      upstreams: {
        app: {
          servers: [
            { address: 'web-app-1:3000', id: 'app-1' },
            { address: 'web-app-2:3000', id: 'app-2' },
            { address: 'web-app-3:3000', id: 'app-3' },
          ],
          sticky: { cookie: { name: 'portico_server', path: '/', httpOnly: true, sameSite: 'lax' } },
          healthCheck: { uri: '/readyz', interval: '2s', mandatory: true },
        },
      },
      caches: { assets: { maxSize: '64m' } },
      routes: [
        {
          name: 'assets',
          match: { pathRegex: APP_ASSET_PATHS },
          proxy: { upstream: 'app' },
          cache: { zone: 'assets', valid: [{ status: [200], for: '1h' }], ignoreHeaders: ['Cache-Control', 'Expires', 'Set-Cookie'] },
          compress: {},
          responseHeaders: { remove: ['x-powered-by'] },
        },
        { name: 'app', proxy: { upstream: 'app' }, compress: {}, responseHeaders: { remove: ['x-powered-by'] } },
      ],
      admin: { listen: '0.0.0.0:9901', requireToken: true },
      log: { level: 'info' },
    });
  });

  test('keeps every secret out of the config: the proxy reads them from its env', () => {
    const json = JSON.stringify(plan.proxy.config);
    expect(json).not.toMatch(/"token"|"tokenFile"|PRIVATE KEY/);
    // The TLS key is a file the target uploads, named by path.
    expect(plan.proxy.config.listeners[1].tls!.certificates![0].key).toBe('/etc/portico/tls/key.pem');
    expect(plan.proxy.secretEnv).toEqual([
      { env: 'PORTICO_STICKY_KEY', name: 'sticky-key', description: 'HMAC key of the sticky cookie' },
      { env: 'PORTICO_ADMIN_TOKEN', name: 'admin-token', description: 'bearer token of the admin listener' },
    ]);
  });

  test('publishes the admin listener on 127.0.0.1:9901 only, with a token', () => {
    expect(plan.proxy.admin).toEqual({
      listenPort: 9901,
      publish: { host: '127.0.0.1', port: 9901 },
      url: 'http://127.0.0.1:9901/',
      tokenEnv: 'PORTICO_ADMIN_TOKEN',
    });
    const exposed = planStack(docker({ instances: 1, publishHost: '0.0.0.0', adminPort: 9999 }));
    expect(exposed.proxy.admin.publish).toEqual({ host: '127.0.0.1', port: 9999 });
    expect(exposed.proxy.admin.listenPort).toBe(9901);
  });

  test('honours the configured ports, publish address and balance method', () => {
    const custom = planStack(docker({ instances: 1, appPort: 4000, httpPort: 9080, httpsPort: 9443, publishHost: '0.0.0.0', balance: 'least-conn' }));
    expect(custom.apps[0]).toMatchObject({ address: 'web-app-1:4000', env: { PORT: '4000' } });
    expect(custom.proxy.publish).toEqual({ host: '0.0.0.0', http: 9080, https: 9443 });
    expect(custom.proxy.listenPort).toBe(8080);
    expect(custom.proxy.config.upstreams.app.balance).toBe('least-conn');
    expect(custom.urls).toEqual(['http://localhost:9080/']);
    expect(custom.httpsUrls).toEqual(['https://localhost:9443/']);
    expect([custom.proxy.httpsListenPort, custom.proxy.tls]).toEqual([8443, { source: 'upload', cert: '/etc/portico/tls/cert.pem', key: '/etc/portico/tls/key.pem' }]);
  });

  test('neither redirects HTTP nor sends HSTS for a stack on its own CA: clients that do not trust it keep HTTP', () => {
    const [http, https] = plan.proxy.config.listeners;
    expect(http.redirectToHttps).toBeUndefined();
    expect(https.tls!.hsts).toBeUndefined();
  });
});

describe('planStack for docker with ACME', () => {
  const acme = (more: Partial<StackArgs> = {}) => planStack(docker({ instances: 1, hostnames: ['shop.example.com', 'www.example.com'], acme: true, ...more }));

  test('renders the proxy\'s acme settings for the hostnames, stored in a volume, and a TLS listener that takes its certificates', () => {
    const plan = acme({ acme: { email: 'ops@example.com', directory: 'https://acme-staging-v02.api.letsencrypt.org/directory' } });
    expect(plan.proxy.config.acme).toEqual({
      hostnames: ['shop.example.com', 'www.example.com'],
      email: 'ops@example.com',
      directory: 'https://acme-staging-v02.api.letsencrypt.org/directory',
      storage: '/var/lib/portico/acme',
    });
    expect(plan.proxy.config.listeners[1]).toEqual({ name: 'https', host: '0.0.0.0', port: 8443, tls: { acme: true, hsts: {} } });
    expect(plan.proxy.tls).toEqual({ source: 'acme', storage: '/var/lib/portico/acme' });
    expect(plan.certificates).toEqual([]);
    expect(acme().proxy.config.acme).toEqual({ hostnames: ['shop.example.com', 'www.example.com'], storage: '/var/lib/portico/acme' });
  });

  test('redirects HTTP to HTTPS (the published port, none on 443), with HSTS', () => {
    expect(acme().proxy.config.listeners[0].redirectToHttps).toBe(8443);
    const standard = acme({ httpPort: 80, httpsPort: 443, publishHost: '0.0.0.0' });
    expect(standard.proxy.config.listeners[0].redirectToHttps).toBe(true);
    expect([standard.urls, standard.httpsUrls]).toEqual([
      ['http://shop.example.com/', 'http://www.example.com/'],
      ['https://shop.example.com/', 'https://www.example.com/'],
    ]);
  });
});

describe('planStack for local', () => {
  const plan = planStack(local({ cores: 3 }));

  test('runs instance i on 127.0.0.1 at appPort + i (3001, 3002, ...)', () => {
    expect(plan.apps.map((a) => a.address)).toEqual(['127.0.0.1:3001', '127.0.0.1:3002', '127.0.0.1:3003']);
    expect(plan.apps[2].env).toEqual({ PORT: '3003', HOST: '127.0.0.1', INSTANCE_ID: 'app-3' });
  });

  test('runs the admin listener on 127.0.0.1:adminPort without a token, and needs only the sticky key', () => {
    expect(plan.proxy.config.admin).toEqual({ listen: '127.0.0.1:9901' });
    expect(plan.proxy.admin).toEqual({ listenPort: 9901, publish: { host: '127.0.0.1', port: 9901 }, url: 'http://127.0.0.1:9901/' });
    expect(plan.proxy.secretEnv.map((s) => s.env)).toEqual(['PORTICO_STICKY_KEY']);
    expect(planStack(local({ instances: 1, adminPort: 19901 })).proxy.config.admin).toEqual({ listen: '127.0.0.1:19901' });
  });

  test('serves HTTPS on 127.0.0.1:httpsPort from the given files, without redirect or HSTS', () => {
    const tls = planStack(local({ instances: 1, tlsFiles: { cert: '/home/u/ca/localhost.pem', key: '/home/u/ca/localhost.key' } }));
    expect(tls.proxy.config.listeners).toEqual([
      { name: 'http', host: '127.0.0.1', port: 8080 },
      { name: 'https', host: '127.0.0.1', port: 8443, tls: { certificates: [{ cert: '/home/u/ca/localhost.pem', key: '/home/u/ca/localhost.key' }] } },
    ]);
    expect([tls.httpsUrls, tls.proxy.httpsListenPort]).toEqual([['https://localhost:8443/'], 8443]);
    expect(configIssues(tls.proxy.config)).toEqual([]);
  });

  test('has the proxy listen on 127.0.0.1:httpPort and no network (no HTTPS without tlsFiles)', () => {
    expect(plan.proxy.config.listeners).toEqual([{ name: 'http', host: '127.0.0.1', port: 8080 }]);
    expect([plan.httpsUrls, plan.proxy.httpsListenPort, plan.proxy.tls]).toEqual([[], null, null]);
    expect(plan.proxy.listenPort).toBe(8080);
    expect(plan.network).toBeUndefined();
    expect(plan.proxy.config.upstreams.app.servers.map((s) => s.address)).toEqual(plan.apps.map((a) => a.address));
  });

  test('starts the app ports at the configured base', () => {
    expect(planStack(local({ instances: 2, appPort: 5000 })).apps.map((a) => a.port)).toEqual([5000, 5001]);
  });
});

describe('planStack for aws', () => {
  const plan = planStack({ stackName: 'web', target: 'aws', instances: 1, hostnames: ['shop.example.com'] });

  test('leaves HTTPS to the aws target: one plain listener, port 80 and 443 published, no https URLs of its own', () => {
    expect(plan.proxy.config.listeners).toEqual([{ name: 'http', host: '0.0.0.0', port: 8080 }]);
    expect(plan.proxy.config.acme).toBeUndefined();
    expect([plan.proxy.tls, plan.proxy.httpsListenPort, plan.httpsUrls]).toEqual([null, null, []]);
    expect(plan.proxy.publish).toEqual({ host: '0.0.0.0', http: 80, https: 443 });
    expect(plan.urls).toEqual(['http://shop.example.com/']);
    // The aws target reads the names to certify (ACME or given) and to point DNS at from here.
    expect(plan.certificates).toEqual([{ name: 'web-tls', hostnames: ['shop.example.com'] }]);
  });
});

describe('the app upstream\'s sticky cookie and readiness check', () => {
  const upstreamOf = (more: Partial<StackArgs>) => planStack(local({ instances: 2, ...more })).proxy.config.upstreams.app;

  test.each([
    ['local', local({ instances: 2 })],
    ['docker', docker({ instances: 2 })],
  ])('are on by default for %s', (_, args) => {
    const upstream = planStack(args).proxy.config.upstreams.app;
    expect(upstream.sticky).toEqual({ cookie: { name: 'portico_server', path: '/', httpOnly: true, sameSite: 'lax' } });
    expect(upstream.healthCheck).toEqual({ uri: '/readyz', interval: '2s', mandatory: true });
    expect(upstream.slowStart).toBeUndefined();
  });

  test('true means the defaults', () => {
    expect(upstreamOf({ sticky: true, healthCheck: true })).toEqual(upstreamOf({}));
  });

  test('sticky: false turns the cookie off and needs no key', () => {
    const plan = planStack(docker({ instances: 1, sticky: false }));
    expect(plan.proxy.config.upstreams.app.sticky).toBeUndefined();
    expect(plan.proxy.secretEnv.map((s) => s.env)).toEqual(['PORTICO_ADMIN_TOKEN']);
  });

  test('healthCheck: false turns the check off and leaves passive health at the proxy\'s defaults', () => {
    const upstream = upstreamOf({ healthCheck: false });
    expect(upstream.healthCheck).toBeUndefined();
    expect(upstream.failTimeout).toBeUndefined();
    expect(upstream.sticky).toBeDefined();
  });

  test('both off gives the plain round-robin upstream', () => {
    expect(upstreamOf({ sticky: false, healthCheck: false })).toEqual({
      servers: [
        { address: '127.0.0.1:3001', id: 'app-1' },
        { address: '127.0.0.1:3002', id: 'app-2' },
      ],
    });
  });

  test('renames the cookie, changes the path and interval', () => {
    const upstream = upstreamOf({ sticky: { cookieName: 'route' }, healthCheck: { path: '/health/ready?probe=1', interval: '500ms' } });
    expect(upstream.sticky).toEqual({ cookie: { name: 'route', path: '/', httpOnly: true, sameSite: 'lax' } });
    // A check must not outlive its interval: the proxy's 2s timeout is cut to it.
    expect(upstream.healthCheck).toEqual({ uri: '/health/ready?probe=1', interval: '500ms', timeout: 500, mandatory: true });
    expect(upstreamOf({ healthCheck: { interval: '1m' } }).healthCheck).toEqual({ uri: '/readyz', interval: '1m', mandatory: true });
  });

  test('leaves passive benching at the proxy\'s default: the next passing check ends it (local-stack tests the restart)', () => {
    expect(upstreamOf({}).failTimeout).toBeUndefined();
  });
});

describe('the app routes of a stack', () => {
  const assets = new RegExp(APP_ASSET_PATHS);
  const page = new RegExp(APP_PAGE_PATHS);
  const publicDir = '/srv/app/public';
  const cached = planStack(docker({ instances: 1 })).proxy.config;
  const served = planStack(local({ instances: 1, appPublicDir: publicDir })).proxy.config;
  const routeOf = (routes: RouteConfig[], name: string) => routes.find((r) => r.name === name)!;

  test.each(['/app.js', '/style.css', '/logo.svg', '/img/a.png', '/fonts/x.woff2'])('counts %s as an asset', (path) => {
    expect(assets.test(path)).toBe(true);
  });

  test.each(['/', '/index.html', '/api/session', '/api/x.js', '/socket.io/socket.io.js', '/socket.io/', '/healthz', '/app.json'])('does not count %s as an asset', (path) => {
    expect(assets.test(path)).toBe(false);
  });

  test('matches the page at / and /index.html only', () => {
    expect(['/', '/index.html', '/app.js', '/api/'].map((p) => page.test(p))).toEqual([true, true, false, false]);
  });

  test('docker caches the asset paths for an hour, and no other route has a cache', () => {
    expect(routeOf(cached.routes, 'assets').cache).toMatchObject({ zone: 'assets', valid: [{ status: [200], for: '1h' }] });
    expect(cached.routes.filter((r) => r.cache !== undefined).map((r) => r.name)).toEqual(['assets']);
    expect(cached.caches).toEqual({ assets: { maxSize: '64m' } });
  });

  test('local serves the page and assets from the app\'s public folder, falling back to the app, and caches nothing', () => {
    expect(routeOf(served.routes, 'assets').static).toEqual({ root: publicDir, fallback: 'app', expires: '10m' });
    expect(routeOf(served.routes, 'page')).toMatchObject({ static: { root: publicDir, fallback: 'app' }, responseHeaders: { set: { 'Cache-Control': 'no-cache' } } });
    expect(routeOf(served.routes, 'app').proxy).toEqual({ upstream: 'app' });
    expect(served.caches).toBeUndefined();
    expect(served.routes.some((r) => r.cache !== undefined)).toBe(false);
  });

  test('every route compresses and hides X-Powered-By, in both stacks', () => {
    for (const route of [...cached.routes, ...served.routes]) {
      expect(route.compress).toEqual({});
      expect(route.responseHeaders?.remove).toEqual(['x-powered-by']);
    }
  });

  test('refuses a public folder for a proxy that cannot read it, and a relative one', () => {
    expect(() => planStack(docker({ appPublicDir: publicDir }))).toThrow("appPublicDir is for the local target only: a docker proxy cannot read the app's files");
    expect(() => planStack(local({ appPublicDir: 'app-sample/public' }))).toThrow('appPublicDir must be an absolute path, got "app-sample/public"');
  });
});

describe('planStack outputs for every target', () => {
  test.each([
    ['docker', docker({ instances: 4 })],
    ['local', local({ instances: 4 })],
    ['docker with a balance method', docker({ instances: 2, balance: 'ip-hash' })],
    ['one instance', local({ instances: 1, balance: 'random-two' })],
    ['local with sticky and checks off', local({ instances: 2, sticky: false, healthCheck: false })],
    ['local serving the app\'s files', local({ instances: 2, appPublicDir: '/srv/app/public' })],
    ['docker with a renamed cookie and a fast check', docker({ instances: 2, sticky: { cookieName: 'srv' }, healthCheck: { interval: '100ms' } })],
    ['docker with ACME', docker({ instances: 1, hostnames: ['shop.example.com'], acme: { email: 'ops@example.com' } })],
    ['docker with ACME on 80 and 443', docker({ instances: 1, hostnames: ['shop.example.com'], acme: true, httpPort: 80, httpsPort: 443 })],
    ['local with TLS files', local({ instances: 1, tlsFiles: { cert: '/ca/localhost.pem', key: '/ca/localhost.key' } })],
  ])('a %s config passes the proxy schema and its semantic checks', (_, args) => {
    expect(configIssues(planStack(args).proxy.config)).toEqual([]);
  });

  test('wants one certificate for the hostnames, no DNS records, and one URL per hostname', () => {
    const plan = planStack(docker({ instances: 1, hostnames: ['localhost', 'portico.localhost', '*.apps.localhost'] }));
    expect(plan.certificates).toEqual([{ name: 'web-tls', hostnames: ['localhost', 'portico.localhost', '*.apps.localhost'] }]);
    expect(plan.dns).toEqual([]);
    expect(plan.urls).toEqual(['http://localhost:8080/', 'http://portico.localhost:8080/', 'http://www.apps.localhost:8080/']);
  });

  test('does not share or mutate the caller\'s hostnames', () => {
    const hostnames = ['localhost'];
    const plan = planStack(docker({ instances: 1, hostnames }));
    plan.certificates[0].hostnames.push('x');
    expect(hostnames).toEqual(['localhost']);
  });
});
