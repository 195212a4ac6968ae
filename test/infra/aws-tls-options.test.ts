// The aws target's TLS options as deployAwsStack checks them for a direct caller (the components
// check the same rules as args, component-args.test.ts): ACME only for names HTTP-01 can validate, and
// supplied certificates that are really there.
import * as pulumi from '@pulumi/pulumi';
import { planStack } from '../../infra/plan';
import { deployAwsStack, nonEmptyPem, type AwsStackOptions } from '../../infra/targets/aws';
import { awsMocks } from './aws-mocks';
import { installPulumiMocks, valueOf } from './pulumi-harness';

const graph = installPulumiMocks(awsMocks({ 't3.small': 2 }));

beforeEach(() => graph.reset());

function deploy(hostnames: string[], options: AwsStackOptions): void {
  const plan = planStack({ stackName: 'x', target: 'aws', cores: 2, hostnames });
  deployAwsStack('x', plan, options, new pulumi.ComponentResource('test:index:Root', 'x-root'));
}

async function onlyTheRoot(): Promise<void> {
  await graph.settled();
  expect(graph.resources.map((r) => r.type)).toEqual(['test:index:Root']);
}

describe('deployAwsStack refuses, before any resource', () => {
  test.each([
    [
      'ACME for a wildcard name',
      ['shop.example.com', '*.apps.example.com'],
      {},
      'x: ACME cannot issue *.apps.example.com: a wildcard name needs dns-01 and the proxy validates by HTTP-01 only; use tls.mode certificates (stack config awsTls: certificates), or list each name',
    ],
    ['ACME for a name with no public DNS', ['localhost'], {}, 'x: ACME needs public DNS names (hostnames), got "localhost"'],
    ['supplied certificates left empty', ['shop.example.com'], { tls: { mode: 'certificates', certificatePem: '', privateKeyPem: '' } }, 'x: tls.certificatePem is empty'],
    ['a supplied key of blanks', ['shop.example.com'], { tls: { mode: 'certificates', certificatePem: 'CERT', privateKeyPem: ' \n' } }, 'x: tls.privateKeyPem is empty'],
    ['supplied certificates without the key', ['shop.example.com'], { tls: { mode: 'certificates', certificatePem: 'CERT' } }, 'x: tls.privateKeyPem is required'],
  ] as [string, string[], AwsStackOptions, string][])('%s', async (_, hostnames, options, message) => {
    expect(() => deploy(hostnames, options)).toThrow(message);
    await onlyTheRoot();
  });

  test.each([
    ['supplied certificates', ['shop.example.com', '*.apps.example.com'], { mode: 'certificates', certificatePem: 'CERT', privateKeyPem: 'KEY' }],
    ['TLS off', ['localhost', '*.apps.localhost'], { mode: 'off' }],
    // Proxy 1 orders, the others follow it (aws-acme-followers.test.ts).
    ['ACME', ['shop.example.com'], { mode: 'acme' }],
  ] as [string, string[], AwsStackOptions['tls']][])('but several proxy VMs and any names are fine with %s', async (_, hostnames, tls) => {
    deploy(hostnames, { proxyVms: 2, tls });
    await graph.settled();
    expect(graph.ofType('aws:ec2/instance:Instance').filter((i) => i.name.startsWith('x-proxy-'))).toHaveLength(2);
    // A whole stack under mocks takes seconds on this shared machine.
  }, 15_000);
});

describe('a supplied PEM known only later (an Output)', () => {
  /**
   * Every promise behind the Output (value, known, secret, resources): an apply that throws rejects
   * them all, which `pulumi up` reports as the program's error; public apply callbacks never run.
   */
  const outcomes = (output: pulumi.Output<string>) => {
    const o = output as unknown as { promise(): Promise<string>; isKnown: Promise<boolean>; isSecret: Promise<boolean>; allResources(): Promise<unknown> };
    return Promise.allSettled([o.promise(), o.isKnown, o.isSecret, o.allResources()]);
  };

  test('fails the deployment when empty, naming the field, never the value', async () => {
    const settled = await outcomes(nonEmptyPem(pulumi.secret(' \n'), 'x: tls.privateKeyPem'));
    expect(settled.map((s) => (s.status === 'rejected' ? String(s.reason) : s.status))).toEqual(Array(4).fill('Error: x: tls.privateKeyPem is empty: give the PEM text'));
  });

  test('passes a real one through, still secret', async () => {
    const pem = nonEmptyPem(pulumi.secret('-----BEGIN PRIVATE KEY-----'), 'x: tls.privateKeyPem');
    expect(await valueOf(pem)).toBe('-----BEGIN PRIVATE KEY-----');
    expect(await pulumi.isSecret(pem)).toBe(true);
  });
});
