import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { containerFileName, dockerConnectArgs, dockerContainers, dockerRunArgs, planStack, writeContainerFiles, type ContainerSpec } from '../../infra/plan';
import { configIssues } from '../../proxy/src/config/load';

const plan = planStack({ stackName: 'web', target: 'docker', instances: 2, httpPort: 18080 });
const specs = dockerContainers(plan);
const [app1, app2, proxy] = specs;

describe('dockerContainers', () => {
  test('lists the app containers first and the proxy last, in start order', () => {
    expect(specs.map((s) => [s.name, s.role])).toEqual([
      ['web-app-1', 'app'],
      ['web-app-2', 'app'],
      ['web-proxy', 'proxy'],
    ]);
  });

  test('puts the apps on the internal stack network only, and the proxy on its edge network and that one', () => {
    for (const spec of [app1, app2]) expect(spec.networks).toEqual([{ name: 'web-net', aliases: [spec.name] }]);
    expect(proxy.networks).toEqual([
      { name: 'web-edge', aliases: ['web-proxy'] },
      { name: 'web-net', aliases: ['web-proxy'] },
    ]);
  });

  test('health-checks apps on their own readiness path, escaped for the shell', () => {
    const [app] = dockerContainers(planStack({ stackName: 'web', target: 'docker', instances: 1, appPort: 8000, appHealthPath: "/up?x='1'" }));
    expect(app.healthcheck.shellCommand).toContain("fetch('http://127.0.0.1:8000/up?x=%271%27')");
  });

  test('gives each app the plan\'s env and no published port', () => {
    expect(app2.env).toEqual(plan.apps[1].env);
    expect(app1.ports).toEqual([]);
  });

  test('publishes only the proxy, on the configured host address and port, and its admin port on loopback', () => {
    expect(proxy.ports).toEqual([
      { name: 'http', hostIp: '127.0.0.1', hostPort: 18080, containerPort: 8080, protocol: 'tcp' },
      { name: 'https', hostIp: '127.0.0.1', hostPort: 8443, containerPort: 8443, protocol: 'tcp' },
      { name: 'admin', hostIp: '127.0.0.1', hostPort: 9901, containerPort: 9901, protocol: 'tcp' },
    ]);
  });

  test('publishes the admin port on 127.0.0.1 even when the stack is published on every interface', () => {
    const open = dockerContainers(planStack({ stackName: 'web', target: 'docker', instances: 1, publishHost: '0.0.0.0', adminPort: 19901 }));
    expect(open.at(-1)!.ports.map((p) => [p.name, p.hostIp, p.hostPort, p.containerPort])).toEqual([
      ['http', '0.0.0.0', 8080, 8080],
      ['https', '0.0.0.0', 8443, 8443],
      ['admin', '127.0.0.1', 19901, 9901],
    ]);
  });

  test('names the proxy\'s secrets as env vars to fill, and gives apps none', () => {
    expect(proxy.secretEnv.map((s) => s.env)).toEqual(['PORTICO_STICKY_KEY', 'PORTICO_ADMIN_TOKEN']);
    expect(app1.secretEnv).toEqual([]);
    expect(Object.keys(proxy.env)).toEqual(['PORTICO_CONFIG']);
  });

  test('hands the proxy its config as a file at PORTICO_CONFIG, with content that validates', () => {
    expect(proxy.env).toEqual({ PORTICO_CONFIG: '/etc/portico/config.json' });
    expect(proxy.files[0]).toEqual({ path: '/etc/portico/config.json', content: JSON.stringify(plan.proxy.config, null, 2), mode: 0o644 });
    expect(configIssues(JSON.parse(proxy.files[0].content))).toEqual([]);
  });

  test('leaves the certificate and its key to the target, the key readable by group 0 only, which the proxy joins', () => {
    expect(proxy.files.slice(1)).toEqual([
      { path: '/etc/portico/tls/cert.pem', content: '', mode: 0o644, from: 'certificate' },
      { path: '/etc/portico/tls/key.pem', content: '', mode: 0o640, from: 'certificateKey' },
    ]);
    expect(proxy.groups).toEqual(['0']);
    expect([app1.groups, app1.files, proxy.volumes]).toEqual([[], [], []]);
  });

  test('with ACME: no certificate files, no extra group, and a volume for the ACME storage', () => {
    const acme = dockerContainers(planStack({ stackName: 'shop', target: 'docker', instances: 1, hostnames: ['shop.example.com'], acme: true })).at(-1)!;
    expect(acme.files.map((f) => f.path)).toEqual(['/etc/portico/config.json']);
    expect(acme.groups).toEqual([]);
    expect(acme.volumes).toEqual([{ name: 'shop-acme', path: '/var/lib/portico/acme' }]);
    expect(dockerRunArgs(acme, 'img', { filesDir: '/f', secrets: { PORTICO_STICKY_KEY: 'k', PORTICO_ADMIN_TOKEN: 't' } })).toEqual(
      expect.arrayContaining(['--mount', 'type=volume,source=shop-acme,target=/var/lib/portico/acme']),
    );
  });

  test('health-checks apps on /readyz and the proxy on its listening port', () => {
    expect(app1.healthcheck.shellCommand).toContain("fetch('http://127.0.0.1:3000/readyz')");
    expect(proxy.healthcheck.shellCommand).toContain("connect(8080, '127.0.0.1')");
    expect(proxy.healthcheck).toMatchObject({ interval: '10s', timeout: '3s', retries: 3, startPeriod: '10s' });
  });

  test('labels containers by stack, role and instance, and restarts them unless stopped', () => {
    expect(app2.labels).toEqual({ 'dev.portico.stack': 'web', 'dev.portico.role': 'app', 'dev.portico.instance': 'app-2' });
    expect(proxy.labels).toEqual({ 'dev.portico.stack': 'web', 'dev.portico.role': 'proxy' });
    expect(specs.every((s) => s.restart === 'unless-stopped')).toBe(true);
  });

  test('refuses a plan for another target', () => {
    expect(() => dockerContainers(planStack({ stackName: 'web', target: 'local', instances: 1 }))).toThrow(
      'dockerContainers: stack "web" is planned for target local, not docker',
    );
  });
});

describe('dockerRunArgs', () => {
  test('renders an app container as docker run arguments', () => {
    expect(dockerRunArgs(app1, 'web-app:test')).toEqual([
      'run', '--detach', '--name', 'web-app-1', '--network', 'web-net', '--network-alias', 'web-app-1',
      '--env', 'PORT=3000', '--env', 'HOST=0.0.0.0', '--env', 'INSTANCE_ID=app-1', '--env', 'SHUTDOWN_DELAY_MS=3000',
      '--health-cmd', app1.healthcheck.shellCommand, '--health-interval', '10s', '--health-timeout', '3s',
      '--health-retries', '3', '--health-start-period', '10s',
      '--label', 'dev.portico.stack=web', '--label', 'dev.portico.role=app', '--label', 'dev.portico.instance=app-1',
      '--restart', 'unless-stopped',
      'web-app:test',
    ]);
  });

  const secrets = { PORTICO_STICKY_KEY: 'k'.repeat(32), PORTICO_ADMIN_TOKEN: 't'.repeat(32) };

  test('creates a container with two networks, then connects the second one', () => {
    const args = dockerRunArgs(proxy, 'web-proxy:test', { filesDir: '/tmp/files', secrets });
    expect(args.slice(0, 6)).toEqual(['create', '--name', 'web-proxy', '--network', 'web-edge', '--network-alias']);
    expect(dockerConnectArgs(proxy)).toEqual([['network', 'connect', '--alias', 'web-proxy', 'web-net', 'web-proxy']]);
    expect(dockerConnectArgs(app1)).toEqual([]);
  });

  test('publishes ports and mounts files read-only from filesDir in place of uploads', () => {
    const args = dockerRunArgs(proxy, 'web-proxy:test', { filesDir: '/tmp/files', secrets });
    expect(args).toEqual(expect.arrayContaining(['--publish', '127.0.0.1:18080:8080/tcp']));
    expect(args).toEqual(expect.arrayContaining(['--publish', '127.0.0.1:9901:9901/tcp']));
    expect(args).toEqual(expect.arrayContaining(['--mount', 'type=bind,source=/tmp/files/config.json,target=/etc/portico/config.json,readonly']));
    expect(args).toEqual(expect.arrayContaining(['--publish', '127.0.0.1:8443:8443/tcp']));
    expect(args).toEqual(expect.arrayContaining(['--mount', 'type=bind,source=/tmp/files/key.pem,target=/etc/portico/tls/key.pem,readonly']));
    expect(args).toEqual(expect.arrayContaining(['--group-add', '0']));
    expect(args.at(-1)).toBe('web-proxy:test');
    expect(proxy.files.map(containerFileName)).toEqual(['config.json', 'cert.pem', 'key.pem']);
  });

  test('writes the files into filesDir with their modes, the certificate and key as given', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'portico-files-'));
    try {
      expect(() => writeContainerFiles(proxy, dir)).toThrow('writeContainerFiles: container web-proxy needs the certificate for /etc/portico/tls/cert.pem');
      writeContainerFiles(proxy, dir, { certificate: 'CERT', certificateKey: 'KEY' });
      const file = (name: string) => [readFileSync(path.join(dir, name), 'utf8').slice(0, 4), statSync(path.join(dir, name)).mode & 0o777];
      expect([file('cert.pem'), file('key.pem')]).toEqual([['CERT', 0o644], ['KEY', 0o640]]);
      expect(file('config.json')[1]).toBe(0o644);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('passes the secrets as env vars', () => {
    const args = dockerRunArgs(proxy, 'img', { filesDir: '/f', secrets });
    expect(args).toEqual(expect.arrayContaining(['--env', `PORTICO_STICKY_KEY=${'k'.repeat(32)}`, '--env', `PORTICO_ADMIN_TOKEN=${'t'.repeat(32)}`]));
  });

  test('brackets an IPv6 publish address', () => {
    const v6: ContainerSpec = { ...proxy, ports: [{ ...proxy.ports[0], hostIp: '::1' }] };
    expect(dockerRunArgs(v6, 'img', { filesDir: '/f', secrets })).toEqual(expect.arrayContaining(['--publish', '[::1]:18080:8080/tcp']));
  });

  test('needs filesDir for a container with files', () => {
    expect(() => dockerRunArgs(proxy, 'img', { secrets })).toThrow('dockerRunArgs: container web-proxy needs /etc/portico/config.json: give options.filesDir');
  });

  test('needs the value of every secret the container reads', () => {
    expect(() => dockerRunArgs(proxy, 'img', { filesDir: '/f', secrets: { PORTICO_STICKY_KEY: 'k'.repeat(32) } })).toThrow(
      'dockerRunArgs: container web-proxy needs secret PORTICO_ADMIN_TOKEN: give options.secrets',
    );
  });
});
