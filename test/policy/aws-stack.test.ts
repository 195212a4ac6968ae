// The pack over the AWS target's recorded resource graph under mocks: the stacks the target builds
// (one proxy VM with an Elastic IP in a new VPC; three behind a load balancer with IPv6 in a given
// VPC) pass every policy; copies broken the ways the invariants forbid fail with the policy named.
import * as pulumi from '@pulumi/pulumi';
import { planStack } from '../../infra/plan';
import { deployAwsStack, instanceVcpus } from '../../infra/targets/aws';
import { policies } from '../../policy/policies';
import type { PolicyResource } from '../../policy/policies/policy-types';
import { awsMocks } from '../infra/aws-mocks';
import { installPulumiMocks, valueOf } from '../infra/pulumi-harness';
import { packViolations, policyResourcesOfGraph, stackOf } from './policy-harness';

const graph = installPulumiMocks(awsMocks({ 't3.small': 2, 'c7g.large': 2 }));

const INSTANCE = 'aws:ec2/instance:Instance';
const INGRESS_RULE = 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule';
const BLOCK = 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock';

describe('the policy pack over the AWS stacks', () => {
  let resources: PolicyResource[];

  beforeAll(async () => {
    const root = new pulumi.ComponentResource('test:index:Root', 'root');
    // As Pulumi.aws-example.yaml: two t3.small app VMs, one proxy VM, ACME staging, a looked-up zone.
    const cores = await instanceVcpus('t3.small');
    const single = deployAwsStack(
      'web',
      planStack({ stackName: 'web', target: 'aws', cores, appVms: 2, hostnames: ['shop.example.com'] }),
      { appInstanceType: 't3.small', dns: { zoneName: 'example.com' }, tls: { staging: true } },
      root,
    );
    const balanced = deployAwsStack(
      'lb',
      planStack({ stackName: 'lb', target: 'aws', cores: 2, appVms: 2, hostnames: ['example.com'] }),
      // Supplied certificates behind the load balancer (ACME followers there: test/infra/aws-acme-followers.test.ts).
      {
        vpcId: 'vpc-given',
        subnetIds: ['subnet-a', 'subnet-b'],
        ipv6: true,
        proxyVms: 3,
        proxyInstanceType: 'c7g.large',
        tls: { mode: 'certificates', certificatePem: 'CERT', privateKeyPem: pulumi.secret('KEY') },
        dns: { zoneId: 'ZGIVEN' },
      },
      root,
    );
    await Promise.all([valueOf(single.urls), valueOf(balanced.urls)]);
    await graph.settled();
    resources = policyResourcesOfGraph(graph.resources);
  });

  /** A deep copy of the recorded stacks, changed; the recorded graph stays as it was. */
  const variant = (change: (copy: PolicyResource[]) => PolicyResource[] | void) => {
    const copy = resources.map((r) => ({ ...r, props: structuredClone(r.props), propertyDependencies: { ...r.propertyDependencies } }));
    return change(copy) ?? copy;
  };
  const named = (from: PolicyResource[], type: string, name: string) => from.find((r) => r.type === type && r.name === name)!;

  it('records both stacks: VMs, security-group rules, the bucket and its public access block', () => {
    const names = (type: string) => resources.filter((r) => r.type === type).map((r) => r.name);
    expect(names(INSTANCE).sort()).toEqual(['lb-proxy-1', 'lb-proxy-2', 'lb-proxy-3', 'lb-vm-1', 'lb-vm-2', 'web-proxy-1', 'web-vm-1', 'web-vm-2']);
    expect(names(INGRESS_RULE).length).toBeGreaterThanOrEqual(6);
    expect(names(BLOCK)).toHaveLength(2);
  });

  it('passes every policy', async () => {
    expect(await packViolations(policies, resources)).toEqual([]);
  });

  it('fails SSH opened to the internet, by two policies', async () => {
    const ssh = stackOf([{ type: INGRESS_RULE, name: 'web-proxy-ssh', props: { securityGroupId: 'sg-proxy', ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0' } }]);
    expect(await packViolations(policies, variant((copy) => [...copy, ...ssh]))).toEqual([
      'portico-internet-ingress-http-only: web-proxy-ssh: 0.0.0.0/0 may reach TCP 80 and 443 only, not tcp 22',
      'portico-no-ssh-ingress: web-proxy-ssh: tcp 22 admits SSH (TCP 22) from 0.0.0.0/0; use SSM Session Manager instead',
    ]);
  });

  it("fails the proxy's admin port opened to the internet", async () => {
    const admin = stackOf([{ type: INGRESS_RULE, name: 'web-proxy-admin', props: { securityGroupId: 'sg-proxy', ipProtocol: 'tcp', fromPort: 9901, toPort: 9901, cidrIpv6: '::/0' } }]);
    expect(await packViolations(policies, variant((copy) => [...copy, ...admin]))).toEqual([
      'portico-internet-ingress-http-only: web-proxy-admin: the admin port 9901 is open to ::/0; reach the dashboard through SSM port forwarding instead',
    ]);
  });

  it('fails a proxy VM with IMDSv1, an unencrypted root volume and a key pair', async () => {
    const broken = variant((copy) => {
      const vm = named(copy, INSTANCE, 'web-proxy-1');
      vm.props.metadataOptions.httpTokens = 'optional';
      vm.props.rootBlockDevice.encrypted = false;
      vm.props.keyName = 'ops';
    });
    expect((await packViolations(policies, broken)).map((v) => v.split(':')[0])).toEqual([
      'portico-ec2-imdsv2-required',
      'portico-ec2-encrypted-volumes',
      'portico-ec2-no-key-pair',
    ]);
  });

  it('fails an app VM whose metadata hop limit lets its containers reach the role (2, or left to the AMI)', async () => {
    const raised = variant((copy) => {
      named(copy, INSTANCE, 'web-vm-1').props.metadataOptions.httpPutResponseHopLimit = 2;
    });
    expect(await packViolations(policies, raised)).toEqual([expect.stringMatching(/^portico-ec2-imds-hop-limit-1: web-vm-1: metadataOptions.httpPutResponseHopLimit is 2: /)]);
    const absent = variant((copy) => {
      delete named(copy, INSTANCE, 'lb-proxy-2').props.metadataOptions.httpPutResponseHopLimit;
    });
    expect(await packViolations(policies, absent)).toEqual([expect.stringMatching(/^portico-ec2-imds-hop-limit-1: lb-proxy-2: metadataOptions.httpPutResponseHopLimit is undefined: /)]);
  });

  it('fails a stack bucket without its public access block', async () => {
    const broken = variant((copy) => copy.filter((r) => !(r.type === BLOCK && r.name === 'web-files')));
    expect(await packViolations(policies, broken)).toEqual([expect.stringMatching(/^portico-s3-private-encrypted: web-files: bucket web-files has no BucketPublicAccessBlock/)]);
  });
});
