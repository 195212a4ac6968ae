// The proxy tier: one VM with an Elastic IP, or N VMs behind a Network Load Balancer that passes
// TCP through (TLS still ends at Portico, and instance targets keep the client's address).
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { vm, type VmArgs } from './instance';

/** One proxy VM: its machine and what it boots after (its files in S3: the first pull must find them). */
export interface ProxyVmSpec {
  vm: Omit<VmArgs, 'subnetId'>;
  startAfter?: pulumi.Resource[];
}

export interface ProxyTierArgs {
  count: number;
  /**
   * Proxy `index`'s VM (0 first). The others may depend on proxy 1 (`first`, given from index 1
   * on): with ACME they follow it, and their config names its private address.
   */
  vm: (index: number, first: aws.ec2.Instance | undefined) => ProxyVmSpec;
  subnetIds: pulumi.Input<string>[];
  vpcId: pulumi.Input<string>;
  /** Ports the proxies serve (80, and 443 with TLS): the load balancer's listeners. */
  ports: number[];
  ipv6: boolean;
}

export interface ProxyTier {
  vms: aws.ec2.Instance[];
  eip?: aws.ec2.Eip;
  nlb?: aws.lb.LoadBalancer;
  /** The Elastic IP, or the load balancer's DNS name. */
  address: pulumi.Output<string>;
}

export function proxyTier(name: string, args: ProxyTierArgs, parent: pulumi.Resource): ProxyTier {
  if (!Number.isInteger(args.count) || args.count < 1) throw new Error(`${name}: proxy VMs must be an integer >= 1, got ${args.count}`);
  const vms: aws.ec2.Instance[] = [];
  for (let i = 0; i < args.count; i++) {
    const spec = args.vm(i, vms[0]);
    vms.push(vm(`${name}-${i + 1}`, { ...spec.vm, subnetId: args.subnetIds[i % args.subnetIds.length] }, { parent, dependsOn: spec.startAfter }));
  }
  if (args.count === 1) {
    const eip = new aws.ec2.Eip(name, { domain: 'vpc', instance: vms[0].id, tags: { Name: name } }, { parent });
    return { vms, eip, address: eip.publicIp };
  }
  const nlb = networkLoadBalancer(name, args, vms, parent);
  return { vms, nlb, address: nlb.dnsName };
}

function networkLoadBalancer(name: string, args: ProxyTierArgs, vms: aws.ec2.Instance[], parent: pulumi.Resource): aws.lb.LoadBalancer {
  const opts = { parent };
  const nlb = new aws.lb.LoadBalancer(
    name,
    {
      loadBalancerType: 'network',
      internal: false,
      subnets: args.subnetIds,
      ipAddressType: args.ipv6 ? 'dualstack' : 'ipv4',
      enableCrossZoneLoadBalancing: true,
    },
    opts,
  );
  for (const port of args.ports) {
    const group = new aws.lb.TargetGroup(
      `${name}-${port}`,
      {
        port,
        protocol: 'TCP',
        targetType: 'instance',
        vpcId: args.vpcId,
        healthCheck: { protocol: 'TCP', port: 'traffic-port', interval: 10, healthyThreshold: 2, unhealthyThreshold: 2 },
        // A proxy leaving the group keeps its connections this long (the app VMs drain the same way).
        deregistrationDelay: 30,
      },
      opts,
    );
    new aws.lb.Listener(`${name}-${port}`, { loadBalancerArn: nlb.arn, port, protocol: 'TCP', defaultActions: [{ type: 'forward', targetGroupArn: group.arn }] }, opts);
    vms.forEach((instance, i) => {
      new aws.lb.TargetGroupAttachment(`${name}-${port}-${i + 1}`, { targetGroupArn: group.arn, targetId: instance.id, port }, opts);
    });
  }
  return nlb;
}
