// The aws target's flat stack keys: Pulumi.yaml declares them (stack-config.test.ts checks the
// defaults), readAwsConfig turns them into a WebStack's `aws` args, the example stack uses only them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { readAwsConfig } from '../../infra/targets/aws/config';

const root = path.resolve(__dirname, '../..');
const declared = parse(readFileSync(path.join(root, 'Pulumi.yaml'), 'utf8')).config as Record<string, unknown>;
const example = parse(readFileSync(path.join(root, 'Pulumi.aws-example.yaml'), 'utf8')).config as Record<string, unknown>;

function read(values: Record<string, unknown>) {
  const config = {
    get: (k: string) => values[k] as string | undefined,
    getSecret: (k: string) => values[k] as string | undefined,
    getNumber: (k: string) => (k in values ? Number(values[k]) : undefined),
    getBoolean: (k: string) => (k in values ? values[k] === 'true' : undefined),
    getObject: (k: string) => values[k],
  };
  return readAwsConfig(config as never);
}

test('the example AWS stack sets the region and declared portico keys only, for the aws target', () => {
  for (const key of Object.keys(example)) {
    expect(key === 'aws:region' || (key.startsWith('portico:') && key.slice('portico:'.length) in declared)).toBe(true);
  }
  expect(example['portico:target']).toBe('aws');
});

test('defaults: a new VPC, one t3.small app VM and proxy, ACME in production, no DNS zone', () => {
  expect(read({})).toEqual({
    appVms: 1,
    ipv6: false,
    appInstanceType: 't3.small',
    proxyVms: 1,
    proxyInstanceType: 't3.small',
    rootVolumeGiB: 16,
    tls: { mode: 'acme', staging: false },
    dns: { ttl: 300 },
  });
});

test('given network, NLB, supplied certificates and a zone id are passed on', () => {
  const args = read({
    awsAppVms: '4',
    awsVpcId: 'vpc-1',
    awsSubnetIds: ['subnet-a', 'subnet-b'],
    awsProxyVms: '2',
    awsTls: 'certificates',
    awsTlsCertificate: 'CERT',
    awsTlsPrivateKey: 'KEY',
    awsHostedZoneId: 'Z1',
    awsDnsTtl: '60',
    awsAmiId: 'ami-1',
  });
  expect(args).toMatchObject({
    appVms: 4,
    vpcId: 'vpc-1',
    subnetIds: ['subnet-a', 'subnet-b'],
    proxyVms: 2,
    amiId: 'ami-1',
    tls: { mode: 'certificates', certificatePem: 'CERT', privateKeyPem: 'KEY' },
    dns: { zoneId: 'Z1', ttl: 60 },
  });
});
