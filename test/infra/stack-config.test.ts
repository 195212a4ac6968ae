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
  expect(devStack.config).toMatchObject({ 'portico:target': 'docker', 'portico:baseImage': 'local/node-base:22' });
});

test.each([
  ['portico', 'dev', 'portico-dev'],
  ['portico', 'Staging_EU.1', 'portico-staging-eu-1'],
  ['portico', 'a-very-long-stack-name-that-goes-on-and-on', 'portico-a-very-long-stack-name-that-goes'],
])('stack %s/%s is named %s', (proj, stack, name) => {
  expect(defaultStackName(proj, stack)).toBe(name);
});

describe('readStackConfig folds the switches and their options into the plan\'s args', () => {
  const read = (values: Record<string, string>) => {
    const config = { get: (k: string) => values[k], getNumber: (k: string) => (k in values ? Number(values[k]) : undefined),
      getBoolean: (k: string) => (k in values ? values[k] === 'true' : undefined), getObject: () => undefined };
    return readStackConfig(config as never);
  };

  test('defaults: sticky cookie portico_server, /readyz every 2s, admin on 9901', () => {
    expect(read({})).toMatchObject({ sticky: { cookieName: 'portico_server' }, healthCheck: { path: '/readyz', interval: '2s' }, adminPort: 9901 });
  });

  test('false switches a feature off whatever its options say', () => {
    expect(read({ sticky: 'false', stickyCookie: 'x', healthCheck: 'false', healthCheckPath: '/up' })).toMatchObject({ sticky: false, healthCheck: false });
  });

  test('options are passed on for the plan to validate', () => {
    expect(read({ stickyCookie: 'srv', healthCheckPath: '/up', healthCheckInterval: '500ms', adminPort: '9000' })).toMatchObject({
      sticky: { cookieName: 'srv' },
      healthCheck: { path: '/up', interval: '500ms' },
      adminPort: 9000,
    });
  });
});
