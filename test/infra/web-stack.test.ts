// The docker WebStack's resource graph, recorded through the mock monitor.
// Components create nothing when imported, so a static import before the mocks is safe.
import { WebStack } from '../../infra/components/web-stack';
import { configIssues } from '../../proxy/src/config/load';
import * as pulumi from '@pulumi/pulumi';
import { installPulumiMocks, isSecretInput, plainInput, valueOf, type RecordedResource } from './pulumi-harness';

const graph = installPulumiMocks();

const T = {
  stack: 'portico:index:WebStack',
  fleet: 'portico:index:AppFleet',
  proxy: 'portico:index:EdgeProxy',
  cert: 'portico:index:Certificate',
  container: 'docker:index/container:Container',
  network: 'docker:index/network:Network',
  image: 'docker:index/image:Image',
  password: 'random:index/randomPassword:RandomPassword',
};

describe('WebStack on docker', () => {
  let stack: WebStack;
  let outputs: {
    urls: string[];
    httpsUrls: string[];
    proxyUrl: string;
    proxyHttpsUrl: string;
    appAddresses: string[];
    networkName: string;
    proxyConfig: string;
    caCertPem: string;
    dashboardUrl: string;
  };

  beforeAll(async () => {
    stack = new WebStack('web', {
      instances: 3,
      httpPort: 18080,
      adminPort: 19901,
      hostnames: ['localhost', 'web.localhost'],
      app: {
        build: { context: 'shop', dockerfile: 'web.Dockerfile', args: { NODE_IMAGE: 'local/node-base:22' }, network: 'host' },
        env: { SHOP_NAME: 'Demo', PORT: '1' },
        secretEnv: { SHOP_API_KEY: 'k3y' },
      },
      proxy: { baseImage: 'local/node-base:22', buildNetwork: 'host' },
    });
    outputs = {
      urls: await valueOf(stack.urls),
      httpsUrls: await valueOf(stack.httpsUrls),
      proxyUrl: await valueOf(stack.proxyUrl),
      proxyHttpsUrl: await valueOf(stack.proxyHttpsUrl),
      appAddresses: await valueOf(stack.appAddresses),
      networkName: await valueOf(stack.networkName),
      proxyConfig: await valueOf(stack.proxyConfig),
      caCertPem: await valueOf(stack.caCertPem),
      dashboardUrl: await valueOf(stack.dashboardUrl),
    };
    await graph.settled();
  });

  const apps = () => graph.ofType(T.container).filter((c) => c.name !== 'web-proxy');
  const proxy = () => graph.get(T.container, 'web-proxy');
  const network = () => graph.get(T.network, 'web-net');
  const edgeNetwork = () => graph.get(T.network, 'web-proxy-edge');
  /** The proxy's uploads: sent as a secret as a whole, since the key is one. */
  const uploads = () => plainInput<{ file: string; content: string; permissions: string }[]>(proxy().inputs.uploads);

  test('runs as many app containers as the plan sized', () => {
    expect(apps().map((c) => c.inputs.name)).toEqual(['web-app-1', 'web-app-2', 'web-app-3']);
    expect(stack.plan.apps).toHaveLength(3);
  });

  test('puts the apps on an internal network that only the proxy also joins, and publishes only the proxy\'s', () => {
    expect(network().inputs).toMatchObject({ name: 'web-net', internal: true });
    expect(edgeNetwork().inputs).toMatchObject({ name: 'web-edge' });
    expect(edgeNetwork().inputs.internal).toBeUndefined();
    for (const c of apps()) {
      expect(c.inputs.networksAdvanced).toEqual([{ name: 'web-net', aliases: [c.inputs.name] }]);
      expect(c.dependencies).toContain(network().urn);
    }
    expect(proxy().inputs.networksAdvanced).toEqual([
      { name: 'web-edge', aliases: ['web-proxy'] },
      { name: 'web-net', aliases: ['web-proxy'] },
    ]);
    expect(proxy().dependencies).toEqual(expect.arrayContaining([network().urn, edgeNetwork().urn]));
  });

  test('gives the apps the user\'s env, the stack\'s own variables winning, and the secret env as a secret', () => {
    for (const c of apps()) {
      expect(isSecretInput(c.inputs.envs)).toBe(true);
      expect(envOf(c)).toMatchObject({ SHOP_NAME: 'Demo', SHOP_API_KEY: 'k3y', PORT: '3000' });
      expect(plainInput<string[]>(c.inputs.envs).filter((e) => e.startsWith('PORT='))).toEqual(['PORT=3000']);
    }
  });

  test('counts an app container as created only once it is healthy', () => {
    for (const c of apps()) expect(c.inputs).toMatchObject({ wait: true, waitTimeout: 90 });
  });

  test('lists every app container\'s address in the proxy\'s upstream', () => {
    const config = JSON.parse(uploads()[0].content);
    const upstream = config.upstreams.app.servers.map((s: { address: string }) => s.address);
    expect(upstream).toEqual(apps().map((c) => `${c.inputs.name}:${envOf(c).PORT}`));
    expect(outputs.appAddresses).toEqual(upstream);
  });

  test('uploads a proxy config file that validates against the proxy\'s schema', () => {
    const [config] = uploads();
    expect([config.file, config.permissions]).toEqual([envOf(proxy()).PORTICO_CONFIG, '0644']);
    expect(configIssues(JSON.parse(config.content))).toEqual([]);
    expect(outputs.proxyConfig).toBe(config.content);
  });

  test('uploads the stack certificate and its key (0640, readable through group 0, which the proxy joins), as a secret', async () => {
    expect(isSecretInput(proxy().inputs.uploads)).toBe(true);
    const [, cert, key] = uploads();
    expect([cert.file, cert.permissions, key.file, key.permissions]).toEqual(['/etc/portico/tls/cert.pem', '0644', '/etc/portico/tls/key.pem', '0640']);
    // The mocks' fake PEMs name the resource: the leaf certificate and the leaf's key, not the CA's.
    expect(cert.content).toBe('-----BEGIN CERTIFICATE-----\nfake web-tls\n-----END CERTIFICATE-----\n');
    expect(key.content).toBe('-----BEGIN PRIVATE KEY-----\nfake web-tls-key\n-----END PRIVATE KEY-----\n');
    expect(proxy().inputs.groupAdds).toEqual(['0']);
    const https = JSON.parse(config0()).listeners.find((l: { name: string }) => l.name === 'https');
    expect(https).toEqual({ name: 'https', host: '0.0.0.0', port: 8443, tls: { certificates: [{ cert: cert.file, key: key.file }] } });
  });
  const config0 = () => uploads()[0].content;

  test('publishes the proxy as configured, its admin port on 127.0.0.1 only, and no app', () => {
    expect(proxy().inputs.ports).toEqual([
      { ip: '127.0.0.1', external: 18080, internal: 8080, protocol: 'tcp' },
      { ip: '127.0.0.1', external: 8443, internal: 8443, protocol: 'tcp' },
      { ip: '127.0.0.1', external: 19901, internal: 9901, protocol: 'tcp' },
    ]);
    for (const c of apps()) expect(c.inputs.ports).toEqual([]);
  });

  test('generates the admin token and the sticky key as random passwords of the proxy', () => {
    const edge = graph.get(T.proxy, 'web-proxy');
    for (const name of ['web-proxy-admin-token', 'web-proxy-sticky-key']) {
      const password = graph.get(T.password, name);
      expect(password.parent).toBe(edge.urn);
      expect(password.inputs).toEqual({ length: 32, special: false });
    }
  });

  test('hands the proxy its secrets through env vars sent as secrets, never through the config file', () => {
    expect(isSecretInput(proxy().inputs.envs)).toBe(true);
    const env = envOf(proxy());
    expect(env.PORTICO_ADMIN_TOKEN).toMatch(/^[0-9a-zA-Z]{32}$/);
    expect(env.PORTICO_STICKY_KEY).toMatch(/^[0-9a-zA-Z]{32}$/);
    expect(env.PORTICO_ADMIN_TOKEN).not.toBe(env.PORTICO_STICKY_KEY);
    const content: string = uploads()[0].content;
    expect(content).not.toContain(env.PORTICO_ADMIN_TOKEN);
    expect(content).not.toContain(env.PORTICO_STICKY_KEY);
    const config = JSON.parse(content);
    expect(config.admin).toEqual({ listen: '0.0.0.0:9901', requireToken: true });
    expect(config.upstreams.app.sticky.cookie).not.toHaveProperty('key');
  });

  test('turns on the sticky cookie and the /readyz check for the app upstream', () => {
    const upstream = JSON.parse(uploads()[0].content).upstreams.app;
    expect(upstream.sticky).toEqual({ cookie: { name: 'portico_server', path: '/', httpOnly: true, sameSite: 'lax' } });
    expect(upstream.healthCheck).toMatchObject({ uri: '/readyz', mandatory: true });
  });

  test('exports the dashboard URL with its token as a secret', async () => {
    expect(outputs.dashboardUrl).toBe(`http://127.0.0.1:19901/#token=${envOf(proxy()).PORTICO_ADMIN_TOKEN}`);
    expect(await isSecret(stack.dashboardUrl)).toBe(true);
  });

  test('starts the proxy after the app containers', () => {
    const appUrns = apps().map((c) => c.urn);
    expect(proxy().dependencies).toEqual(expect.arrayContaining(appUrns));
  });

  test('gives containers healthchecks, a restart policy and stack labels', () => {
    for (const c of [...apps(), proxy()]) {
      expect(c.inputs.healthcheck.tests[0]).toBe('CMD-SHELL');
      expect(c.inputs.restart).toBe('unless-stopped');
      expect(c.inputs.labels).toEqual(expect.arrayContaining([{ label: 'dev.portico.stack', value: 'web' }]));
    }
  });

  test('builds the user\'s app from its context and Dockerfile, the proxy from this package\'s, and runs them by id', () => {
    const built = Object.fromEntries(graph.ofType(T.image).map((i) => [i.name, i.inputs]));
    expect(built['web-app-image']).toMatchObject({
      imageName: 'web-app:latest',
      skipPush: true,
      build: { context: 'shop', dockerfile: 'shop/web.Dockerfile', args: { NODE_IMAGE: 'local/node-base:22' }, network: 'host' },
    });
    expect(built['web-proxy-image'].build).toMatchObject({ dockerfile: 'proxy/Dockerfile', args: { NODE_IMAGE: 'local/node-base:22' }, network: 'host' });
    for (const c of apps()) expect(c.inputs.image).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test('parents every resource to its component, down to the stack', () => {
    const root = graph.get(T.stack, 'web');
    expect(root.parent).toBe('');
    const fleet = graph.get(T.fleet, 'web-app');
    const edge = graph.get(T.proxy, 'web-proxy');
    const cert = graph.get(T.cert, 'web-tls');
    expect(graph.childrenOf(root.urn).map((r) => r.urn).sort()).toEqual([cert.urn, edge.urn, fleet.urn, network().urn].sort());
    expect(namesOf(graph.childrenOf(fleet.urn))).toEqual(['web-app-1', 'web-app-2', 'web-app-3', 'web-app-image']);
    expect(namesOf(graph.childrenOf(edge.urn))).toEqual(['web-proxy', 'web-proxy-admin-token', 'web-proxy-edge', 'web-proxy-image', 'web-proxy-sticky-key']);
    expect(namesOf(graph.childrenOf(cert.urn))).toEqual(['web-tls', 'web-tls-ca', 'web-tls-ca-key', 'web-tls-csr', 'web-tls-key']);
    const all = graph.resources.filter((r) => r.urn !== root.urn);
    expect(all.every((r) => r.parent !== '')).toBe(true);
  });

  test('asks for a certificate covering the hostnames, signed by a local CA', () => {
    expect(graph.get('tls:index/certRequest:CertRequest', 'web-tls-csr').inputs.dnsNames).toEqual(['localhost', 'web.localhost']);
    expect(graph.get('tls:index/selfSignedCert:SelfSignedCert', 'web-tls-ca').inputs.isCaCertificate).toBe(true);
    expect(graph.get('tls:index/locallySignedCert:LocallySignedCert', 'web-tls').inputs.allowedUses).toContain('server_auth');
    expect(outputs.caCertPem).toContain('BEGIN CERTIFICATE');
  });

  test('resolves the outputs a user needs and registers them', () => {
    expect(outputs.urls).toEqual(['http://localhost:18080/', 'http://web.localhost:18080/']);
    expect(outputs.httpsUrls).toEqual(['https://localhost:8443/', 'https://web.localhost:8443/']);
    expect(outputs.proxyUrl).toBe('http://127.0.0.1:18080/');
    expect(outputs.proxyHttpsUrl).toBe('https://127.0.0.1:8443/');
    expect(outputs.networkName).toBe('web-net');
    expect(Object.keys(graph.get(T.stack, 'web').outputs ?? {}).sort()).toEqual(
      ['appAddresses', 'appVmIds', 'caCertPem', 'dashboardCommand', 'dashboardUrl', 'httpsUrls', 'instanceCount', 'networkName', 'proxyConfig', 'proxyHttpsUrl', 'proxyUrl', 'urls'],
    );
  });
});

describe('WebStack with sticky sessions off', () => {
  test('makes no sticky key and keeps the admin token', async () => {
    const stack = new WebStack('plain', { app, instances: 1, sticky: false, healthCheck: false });
    await valueOf(stack.dashboardUrl);
    await graph.settled();
    expect(graph.ofType(T.password).filter((p) => p.name.startsWith('plain-')).map((p) => p.name)).toEqual(['plain-proxy-admin-token']);
    const upstream = JSON.parse(await valueOf(stack.proxyConfig)).upstreams.app;
    expect(upstream.sticky).toBeUndefined();
    expect(upstream.healthCheck).toBeUndefined();
  });
});

describe('WebStack with ACME', () => {
  test('makes no certificate of its own: the proxy gets them by ACME, kept in a volume of the stack', async () => {
    const stack = new WebStack('shop', { app, instances: 1, hostnames: ['shop.example.com'], acme: true, acmeEmail: 'ops@example.com', httpPort: 80, httpsPort: 443, publishHost: '0.0.0.0' });
    const config = JSON.parse(await valueOf(stack.proxyConfig));
    expect(await valueOf(stack.caCertPem)).toBe('');
    await graph.settled();
    expect(graph.ofType(T.cert).filter((c) => c.name.startsWith('shop'))).toEqual([]);
    expect(config.acme).toEqual({ hostnames: ['shop.example.com'], email: 'ops@example.com', storage: '/var/lib/portico/acme' });
    expect(config.listeners.map((l: object) => l)).toEqual([
      { name: 'http', host: '0.0.0.0', port: 8080, redirectToHttps: true },
      { name: 'https', host: '0.0.0.0', port: 8443, tls: { acme: true, hsts: {} } },
    ]);
    const volume = graph.get('docker:index/volume:Volume', 'shop-proxy-acme');
    expect(volume.inputs.name).toBe('shop-acme');
    const container = graph.get(T.container, 'shop-proxy');
    expect(container.inputs.volumes).toEqual([{ volumeName: 'shop-acme', containerPath: '/var/lib/portico/acme' }]);
    expect(container.dependencies).toContain(volume.urn);
    expect(container.inputs.groupAdds).toBeUndefined();
    expect(await valueOf(stack.httpsUrls)).toEqual(['https://shop.example.com/']);
  });
});

describe('WebStack sizing', () => {
  test('runs one app container per core when cores are given', async () => {
    const stack = new WebStack('cores', { app, cores: 3 });
    await valueOf(stack.appAddresses);
    await graph.settled();
    expect(graph.ofType(T.container).filter((c) => c.name.startsWith('cores-app-'))).toHaveLength(3);
  });

  test('runs a fixed default of 2 when neither a count nor cores is given, whatever the machine', async () => {
    const stack = new WebStack('fixed', { app });
    expect(stack.plan.apps).toHaveLength(2);
    expect(await valueOf(stack.instanceCount)).toBe(2);
  });
});

const app = { image: 'shop:1' };

function envOf(c: RecordedResource): Record<string, string> {
  return Object.fromEntries(plainInput<string[]>(c.inputs.envs).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
}

/** Output.isSecret is public in the SDK's implementation, not in its declared type. */
function isSecret(output: pulumi.Output<unknown>): Promise<boolean> {
  return (output as unknown as { isSecret: Promise<boolean> }).isSecret;
}

function namesOf(resources: RecordedResource[]): string[] {
  return resources.map((r) => r.name).sort();
}
