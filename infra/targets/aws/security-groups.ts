// Two security groups, one rule each thing allowed: the internet reaches the proxy tier on the
// ports it publishes (80, and 443 unless TLS is off) only; the app VMs' ports only from the proxy tier's group. No SSH, no admin port: both are
// reached through SSM, which needs no inbound rule. Outbound is open (ECR, S3, Let's Encrypt, apps).
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface SecurityGroups {
  proxy: aws.ec2.SecurityGroup;
  app: aws.ec2.SecurityGroup;
}

export function securityGroups(
  name: string,
  args: { vpcId: pulumi.Input<string>; publicPorts: readonly number[]; appPorts: { from: number; to: number }; ipv6: boolean },
  parent: pulumi.Resource,
): SecurityGroups {
  const opts = { parent };
  const proxy = new aws.ec2.SecurityGroup(`${name}-proxy`, { vpcId: args.vpcId, description: 'Portico proxy tier: HTTP and HTTPS from anywhere' }, opts);
  const app = new aws.ec2.SecurityGroup(`${name}-app`, { vpcId: args.vpcId, description: 'Portico app VMs: app ports from the proxy tier only' }, opts);

  const sources = [{ cidrIpv4: '0.0.0.0/0' }, ...(args.ipv6 ? [{ cidrIpv6: '::/0' }] : [])];
  for (const port of args.publicPorts) {
    sources.forEach((source, i) => {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-proxy-${port}${i ? '-v6' : ''}`,
        { securityGroupId: proxy.id, ipProtocol: 'tcp', fromPort: port, toPort: port, ...source, description: `port ${port} from the internet` },
        opts,
      );
    });
  }
  new aws.vpc.SecurityGroupIngressRule(
    `${name}-app-from-proxy`,
    {
      securityGroupId: app.id,
      ipProtocol: 'tcp',
      fromPort: args.appPorts.from,
      toPort: args.appPorts.to,
      referencedSecurityGroupId: proxy.id,
      description: 'app instances from the proxy tier',
    },
    opts,
  );
  for (const [group, sg] of [['proxy', proxy], ['app', app]] as const) {
    sources.forEach((source, i) => {
      new aws.vpc.SecurityGroupEgressRule(`${name}-${group}-out${i ? '-v6' : ''}`, { securityGroupId: sg.id, ipProtocol: '-1', ...source, description: 'all outbound' }, opts);
    });
  }
  return { proxy, app };
}
