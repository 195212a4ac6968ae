// The Pulumi program (infra/index.ts) under mocks, with a stack config like Pulumi.dev.yaml's.
import path from 'node:path';
import { configIssues } from '../../proxy/src/config/load';
import { installPulumiMocks, valueOf } from './pulumi-harness';

const graph = installPulumiMocks({
  stack: 'dev',
  config: {
    instances: '3',
    httpPort: '18081',
    hostnames: JSON.stringify(['localhost', 'portico.localhost']),
    baseImage: 'local/node-base:22',
    buildNetwork: 'host',
    adminPort: '19902',
    stickyCookie: 'srv',
    healthCheckInterval: '1s',
  },
});

type Program = typeof import('../../infra/index');
let program: Program;

beforeAll(async () => {
  // The program creates resources when imported: import it only once the mocks are set.
  program = await import('../../infra/index');
  await valueOf(program.urls);
  await graph.settled();
});

test('deploys one WebStack named after the project and stack', () => {
  expect(graph.ofType('portico:index:WebStack').map((r) => r.name)).toEqual(['portico-dev']);
});

test('runs the configured number of app containers on the stack network', async () => {
  expect(await valueOf(program.instanceCount)).toBe(3);
  expect(await valueOf(program.appAddresses)).toEqual(['portico-dev-app-1:3000', 'portico-dev-app-2:3000', 'portico-dev-app-3:3000']);
  expect(await valueOf(program.networkName)).toBe('portico-dev-net');
});

test('builds from the configured base image over the configured build network', () => {
  for (const image of graph.ofType('docker:index/image:Image')) {
    expect(path.resolve(image.inputs.build.context)).toBe(path.resolve(__dirname, '../..'));
    expect(image.inputs.build).toMatchObject({ args: { NODE_IMAGE: 'local/node-base:22' }, network: 'host' });
  }
});

test('exports URLs, the published proxy address and a valid proxy config', async () => {
  expect(await valueOf(program.urls)).toEqual(['http://localhost:18081/', 'http://portico.localhost:18081/']);
  expect(await valueOf(program.proxyUrl)).toBe('http://127.0.0.1:18081/');
  expect(configIssues(JSON.parse(await valueOf(program.proxyConfig)))).toEqual([]);
  expect(await valueOf(program.caCertPem)).toContain('CERTIFICATE');
});

test('turns on the sticky cookie and the readiness check as configured', async () => {
  const upstream = JSON.parse(await valueOf(program.proxyConfig)).upstreams.app;
  expect(upstream.sticky.cookie.name).toBe('srv');
  expect(upstream.healthCheck).toEqual({ uri: '/readyz', interval: '1s', timeout: 1000, mandatory: true });
});

test('exports the dashboard URL on the configured admin port, with its token', async () => {
  expect(await valueOf(program.dashboardUrl)).toMatch(/^http:\/\/127\.0\.0\.1:19902\/#token=[0-9a-zA-Z]{32}$/);
});
