// Reading the aws target's recorded graph: user data parsed back, security-group rules, objects.
import { parse } from 'yaml';
import type { CloudConfig } from '../../infra/targets/aws/cloud-init';
import { plainInput, type RecordedResource, type ResourceGraph } from './pulumi-harness';

export const AWS = {
  instance: 'aws:ec2/instance:Instance',
  sg: 'aws:ec2/securityGroup:SecurityGroup',
  ingress: 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule',
  egress: 'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule',
  object: 'aws:s3/bucketObjectv2:BucketObjectv2',
  record: 'aws:route53/record:Record',
  eip: 'aws:ec2/eip:Eip',
  nlb: 'aws:lb/loadBalancer:LoadBalancer',
  listener: 'aws:lb/listener:Listener',
  attachment: 'aws:lb/targetGroupAttachment:TargetGroupAttachment',
  rolePolicy: 'aws:iam/rolePolicy:RolePolicy',
  policyAttachment: 'aws:iam/rolePolicyAttachment:RolePolicyAttachment',
  repository: 'aws:ecr/repository:Repository',
  image: 'docker-build:index:Image',
  vpc: 'aws:ec2/vpc:Vpc',
  subnet: 'aws:ec2/subnet:Subnet',
} as const;

/** The user data as cloud-init reads it: the header line, then YAML. */
export function cloudConfigOf(instance: RecordedResource): CloudConfig {
  const userData = String(instance.inputs.userData);
  const [header, ...rest] = userData.split('\n');
  if (header !== '#cloud-config') throw new Error(`${instance.name}: user data starts with ${JSON.stringify(header)}`);
  return parse(rest.join('\n')) as CloudConfig;
}

export function dockerRuns(config: CloudConfig): string[][] {
  return (config.runcmd ?? []).filter((c): c is string[] => Array.isArray(c) && c[0] === 'docker' && c[1] === 'run');
}

/** The values after every occurrence of `flag` in an argv. */
export function flagValues(argv: string[], flag: string): string[] {
  return argv.flatMap((arg, i) => (arg === flag ? [argv[i + 1]] : []));
}

/** An ingress rule as `<group name> tcp from-to <source>` (source: CIDR or `sg:<group name>`). */
export function ingressRules(graph: ResourceGraph): string[] {
  const groupName = (id: unknown) => graph.ofType(AWS.sg).find((g) => `${g.name}-id` === id)?.name ?? `?${String(id)}`;
  return graph.ofType(AWS.ingress).map((r) => {
    const i = r.inputs;
    const source = i.cidrIpv4 ?? i.cidrIpv6 ?? (i.referencedSecurityGroupId ? `sg:${groupName(i.referencedSecurityGroupId)}` : i.prefixListId);
    return `${groupName(i.securityGroupId)} ${i.ipProtocol} ${i.fromPort}-${i.toPort} ${source}`;
  });
}

export function objectContent(graph: ResourceGraph, key: string): string {
  const object = graph.ofType(AWS.object).find((o) => o.inputs.key === key);
  if (!object) throw new Error(`no object ${key}; have ${graph.ofType(AWS.object).map((o) => o.inputs.key).join(', ')}`);
  return plainInput<string>(object.inputs.content);
}
