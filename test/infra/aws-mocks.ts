// What the AWS providers would answer, for the aws target's tests: data sources by token and the
// computed outputs the program reads (private IPs, the Elastic IP, the load balancer's name, …).
import { createHash } from 'node:crypto';
import type { MockOptions } from './pulumi-harness';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const REGISTRY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
export const ELASTIC_IP = '203.0.113.10';
export const NLB_DNS = 'web-nlb-0123456789.elb.eu-west-1.amazonaws.com';
export const NLB_ZONE = 'Z32O12XQLNTSW2';
export const LOOKED_UP_ZONE = 'ZLOOKEDUP';

const digest = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/** A stable private address per VM name, in 10.0.0.0/16 like the target's own VPC. */
export function privateIpOf(name: string): string {
  const h = createHash('sha256').update(name).digest();
  return `10.0.${h[0] % 2}.${10 + (h[1] % 200)}`;
}

export function ipv6Of(name: string): string {
  return `2600:1f18:abc:de00::${createHash('sha256').update(name).digest('hex').slice(0, 4)}`;
}

/** `vcpus` maps an EC2 type to its default vCPUs; Graviton types (`g` after the digit) are arm64. */
export function awsMocks(vcpus: Record<string, number>): MockOptions {
  return {
    calls: {
      'aws:ec2/getInstanceType:getInstanceType': ({ instanceType }) => ({
        defaultVcpus: vcpus[String(instanceType)] ?? 0,
        supportedArchitectures: /^[a-z]+\dg/.test(String(instanceType)) ? ['arm64'] : ['x86_64', 'i386'],
      }),
      'aws:ec2/getAmi:getAmi': (inputs) => ({ id: `ami-${JSON.stringify(inputs).includes('arm64') ? 'arm' : 'x86'}` }),
      'aws:index/getRegion:getRegion': () => ({ region: REGION, name: REGION }),
      'aws:index/getAvailabilityZones:getAvailabilityZones': () => ({ names: [`${REGION}a`, `${REGION}b`, `${REGION}c`] }),
      'aws:ecr/getAuthorizationToken:getAuthorizationToken': () => ({ userName: 'AWS', password: 'ecr-token', proxyEndpoint: `https://${REGISTRY}` }),
      'aws:route53/getZone:getZone': () => ({ zoneId: LOOKED_UP_ZONE, id: LOOKED_UP_ZONE }),
    },
    outputs: {
      'aws:ec2/instance:Instance': (name, inputs) => ({
        privateIp: privateIpOf(name),
        publicIp: '198.51.100.1',
        ipv6Addresses: inputs.ipv6AddressCount ? [ipv6Of(name)] : [],
      }),
      'aws:ec2/eip:Eip': () => ({ publicIp: ELASTIC_IP }),
      'aws:ec2/vpc:Vpc': (_, inputs) => (inputs.assignGeneratedIpv6CidrBlock ? { ipv6CidrBlock: '2600:1f18:abc:de00::/56' } : {}),
      'aws:lb/loadBalancer:LoadBalancer': (name) => ({ dnsName: NLB_DNS, zoneId: NLB_ZONE, arn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/net/${name}` }),
      'aws:lb/targetGroup:TargetGroup': (name) => ({ arn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${name}` }),
      'aws:ecr/repository:Repository': (name) => ({
        repositoryUrl: `${REGISTRY}/${name}`,
        registryId: ACCOUNT,
        arn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`,
      }),
      'docker-build:index:Image': (name, inputs) => {
        const tag = String((inputs.tags as string[])[0]);
        return { digest: digest(name), ref: `${tag.replace(/:[^:/]+$/, '')}@${digest(name)}` };
      },
      // The stack bucket is versioned: every write has a version id.
      'aws:s3/bucketObjectv2:BucketObjectv2': (name) => ({ versionId: `v-${createHash('sha256').update(name).digest('hex').slice(0, 12)}` }),
      'aws:s3/bucket:Bucket': (name) => ({ bucket: `${name}-bucket`, arn: `arn:aws:s3:::${name}-bucket` }),
      'aws:iam/instanceProfile:InstanceProfile': (name) => ({ name }),
      'aws:iam/role:Role': (name) => ({ name, arn: `arn:aws:iam::${ACCOUNT}:role/${name}` }),
    },
  };
}
