import { configIssues } from '../../proxy/src/config/load';
import { planStack, type StackArgs } from '../../infra/plan';

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
    expect(plan.apps[1].env).toEqual({ PORT: '3000', HOST: '0.0.0.0', INSTANCE_ID: 'app-2' });
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

  test('generates a proxy config that balances over every app, listening on 0.0.0.0:8080', () => {
    expect(plan.proxy.config).toEqual({
      listeners: [{ name: 'http', host: '0.0.0.0', port: 8080 }],
      upstreams: {
        app: {
          servers: [
            { address: 'web-app-1:3000', id: 'app-1' },
            { address: 'web-app-2:3000', id: 'app-2' },
            { address: 'web-app-3:3000', id: 'app-3' },
          ],
        },
      },
      routes: [{ name: 'app', proxy: { upstream: 'app' }, responseHeaders: { remove: ['x-powered-by'] } }],
      log: { level: 'info' },
    });
  });

  test('honours the configured ports, publish address and balance method', () => {
    const custom = planStack(docker({ instances: 1, appPort: 4000, httpPort: 9080, httpsPort: 9443, publishHost: '0.0.0.0', balance: 'least-conn' }));
    expect(custom.apps[0]).toMatchObject({ address: 'web-app-1:4000', env: { PORT: '4000' } });
    expect(custom.proxy.publish).toEqual({ host: '0.0.0.0', http: 9080, https: 9443 });
    expect(custom.proxy.listenPort).toBe(8080);
    expect(custom.proxy.config.upstreams.app.balance).toBe('least-conn');
    expect(custom.urls).toEqual(['http://localhost:9080/']);
  });
});

describe('planStack for local', () => {
  const plan = planStack(local({ cores: 3 }));

  test('runs instance i on 127.0.0.1 at appPort + i (3001, 3002, ...)', () => {
    expect(plan.apps.map((a) => a.address)).toEqual(['127.0.0.1:3001', '127.0.0.1:3002', '127.0.0.1:3003']);
    expect(plan.apps[2].env).toEqual({ PORT: '3003', HOST: '127.0.0.1', INSTANCE_ID: 'app-3' });
  });

  test('has the proxy listen on 127.0.0.1:httpPort and no network', () => {
    expect(plan.proxy.config.listeners).toEqual([{ name: 'http', host: '127.0.0.1', port: 8080 }]);
    expect(plan.proxy.listenPort).toBe(8080);
    expect(plan.network).toBeUndefined();
    expect(plan.proxy.config.upstreams.app.servers.map((s) => s.address)).toEqual(plan.apps.map((a) => a.address));
  });

  test('starts the app ports at the configured base', () => {
    expect(planStack(local({ instances: 2, appPort: 5000 })).apps.map((a) => a.port)).toEqual([5000, 5001]);
  });
});

describe('planStack outputs for every target', () => {
  test.each([
    ['docker', docker({ instances: 4 })],
    ['local', local({ instances: 4 })],
    ['docker with a balance method', docker({ instances: 2, balance: 'ip-hash' })],
    ['one instance', local({ instances: 1, balance: 'random-two' })],
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
