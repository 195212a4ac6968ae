// Pulumi.yaml declares the stack config with types and defaults; infra/config.ts must agree,
// because mocks (and any caller but the CLI) never see the YAML defaults.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CONFIG_DEFAULTS, defaultStackName, readStackConfig } from '../../infra/config';

const root = path.resolve(__dirname, '../..');
const project = parse(readFileSync(path.join(root, 'Pulumi.yaml'), 'utf8'));
const devStack = parse(readFileSync(path.join(root, 'Pulumi.dev.yaml'), 'utf8'));
const declared: Record<string, { type: string; default: unknown; items?: { type: string } }> = project.config;

test('the project runs infra/index.ts with TypeScript on the nodejs runtime', () => {
  expect(project).toMatchObject({ name: 'portico', runtime: { name: 'nodejs', options: { typescript: true } }, main: 'infra/index.ts' });
});

test('Pulumi.yaml declares exactly the keys infra/config.ts reads, with the same defaults', () => {
  const defaults = Object.fromEntries(Object.entries(declared).map(([key, d]) => [key, d.default]));
  expect(defaults).toEqual(CONFIG_DEFAULTS);
});

test.each(Object.entries(declared))('%s has a type its default matches', (_, d) => {
  const check = { string: 'string', integer: 'number', boolean: 'boolean' } as Record<string, string>;
  if (d.type === 'array') {
    expect(d.items).toBeDefined();
    expect((d.default as unknown[]).every((v) => typeof v === check[d.items!.type])).toBe(true);
  } else {
    expect(typeof d.default).toBe(check[d.type]);
  }
});

test('the dev stack sets only declared keys of the portico namespace, for the docker target', () => {
  const keys = Object.keys(devStack.config);
  expect(keys.every((k) => k.startsWith('portico:') && k.slice('portico:'.length) in declared)).toBe(true);
  expect(devStack.config).toMatchObject({ 'portico:target': 'docker' });
  // An ordinary machine's engine pulls the default node image: the offline test image is a test setting.
  expect(JSON.stringify(devStack)).not.toContain('local/node-base');
  expect(CONFIG_DEFAULTS.baseImage).toBe('node:22-slim');
});

test.each([
  ['portico', 'dev', 'portico-dev'],
  ['portico', 'Staging_EU.1', 'portico-staging-eu-1'],
  ['portico', 'a-very-long-stack-name-that-goes-on-and-on', 'portico-a-very-long-stack-name-that-goes'],
])('stack %s/%s is named %s', (proj, stack, name) => {
  expect(defaultStackName(proj, stack)).toBe(name);
});

describe('readStackConfig reads the switches and their options as the components take them', () => {
  const read = (values: Record<string, string>) => {
    const config = { get: (k: string) => values[k], getNumber: (k: string) => (k in values ? Number(values[k]) : undefined),
      getBoolean: (k: string) => (k in values ? values[k] === 'true' : undefined), getObject: () => undefined };
    return readStackConfig(config as never);
  };

  test('defaults: sticky cookie portico_server, /readyz every 2s, admin on 9901', () => {
    expect(read({})).toMatchObject({
      sticky: true, stickyCookieName: 'portico_server', healthCheck: true, healthCheckPath: '/readyz', healthCheckInterval: '2s', adminPort: 9901,
    });
  });

  test('a fixed instance count unless the stack asks the engine', () => {
    expect(read({})).toMatchObject({ instances: 2, sizeToEngine: false });
    const engine = read({ sizeToEngine: 'true', instances: '5' });
    expect(engine.sizeToEngine).toBe(true);
    expect(engine).not.toHaveProperty('instances');
  });

  test('options are passed on for the plan to validate', () => {
    expect(read({ sticky: 'false', stickyCookie: 'srv', healthCheckPath: '/up', healthCheckInterval: '500ms', adminPort: '9000' })).toMatchObject({
      sticky: false,
      stickyCookieName: 'srv',
      healthCheck: true,
      healthCheckPath: '/up',
      healthCheckInterval: '500ms',
      adminPort: 9000,
    });
  });
});
