// examples/docker-own-app: another repo's stack, using only the package's public entry point with
// its own app. It compiles with its own tsconfig (the package name mapped to the entry point) and
// runs under Pulumi mocks.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { installPulumiMocks, isSecretInput, plainInput, valueOf } from './pulumi-harness';

// The example imports 'portico' as another repo would: here the name resolves to the entry point.
jest.mock('portico', () => jest.requireActual('../../infra/package'), { virtual: true });

const root = path.resolve(__dirname, '../..');
const example = path.join(root, 'examples/docker-own-app');
const graph = installPulumiMocks({ project: 'docker-own-app', stack: 'dev', config: { apiKey: 's3cret' } });

test('imports nothing but the package name and the Pulumi SDK', () => {
  const source = readFileSync(path.join(example, 'index.ts'), 'utf8');
  const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
  expect(imports.sort()).toEqual(['@pulumi/pulumi', 'portico']);
});

test('type-checks against the public entry point with its own tsconfig', () => {
  const tsc = require.resolve('typescript/bin/tsc');
  expect(() => execFileSync(process.execPath, [tsc, '-p', path.join(example, 'tsconfig.json')], { encoding: 'utf8', stdio: 'pipe' })).not.toThrow();
}, 120_000);

describe('the example stack under mocks', () => {
  type Program = typeof import('../../examples/docker-own-app/index');
  let program: Program;

  beforeAll(async () => {
    program = await import('../../examples/docker-own-app/index');
    await valueOf(program.urls);
    await graph.settled();
  });

  const containers = () => graph.ofType('docker:index/container:Container');
  const apps = () => containers().filter((c) => c.name.startsWith('shop-app-'));

  test('builds its own app from its own folder and runs it twice on its port', async () => {
    const image = graph.get('docker:index/image:Image', 'shop-app-image');
    expect(image.inputs.build).toMatchObject({ context: 'app', dockerfile: path.join('app', 'Dockerfile') });
    expect(await valueOf(program.appAddresses)).toEqual(['shop-app-1:8000', 'shop-app-2:8000']);
  });

  test('checks the app on its own health path, in the container and from the proxy', () => {
    for (const c of apps()) expect(c.inputs.healthcheck.tests[1]).toContain("fetch('http://127.0.0.1:8000/ready')");
    const proxy = containers().find((c) => c.name === 'shop-proxy')!;
    const config = JSON.parse(plainInput<{ content: string }[]>(proxy.inputs.uploads)[0].content);
    expect(config.upstreams.app.healthCheck).toMatchObject({ uri: '/ready', interval: '1s' });
  });

  test('hands the app its env, the API key as a secret', () => {
    for (const c of apps()) {
      expect(isSecretInput(c.inputs.envs)).toBe(true);
      expect(plainInput<string[]>(c.inputs.envs)).toEqual(expect.arrayContaining(['GREETING=Hello from my own app', 'API_KEY=s3cret', 'PORT=8000']));
    }
  });

  test('reports its URLs', async () => {
    expect(await valueOf(program.urls)).toEqual(['http://localhost:8090/', 'http://shop.localhost:8090/']);
  });
});
