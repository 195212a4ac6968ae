// Where the VMs go: the given VPC and public subnets, or a new VPC with a public subnet in each of
// two availability zones (an internet gateway, no NAT gateway: every VM gets a public address for
// its outbound traffic; only the proxy tier admits inbound traffic).
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface AwsNetwork {
  vpcId: pulumi.Output<string>;
  /** In order; VMs are spread over them round robin. */
  subnetIds: pulumi.Output<string>[];
  ipv6: boolean;
}

export const VPC_CIDR = '10.0.0.0/16';
export const SUBNET_CIDRS = ['10.0.0.0/24', '10.0.1.0/24'] as const;

export function awsNetwork(
  name: string,
  given: { vpcId?: pulumi.Input<string>; subnetIds?: pulumi.Input<string>[]; ipv6?: boolean },
  parent: pulumi.Resource,
): AwsNetwork {
  const ipv6 = given.ipv6 ?? false;
  if (given.vpcId !== undefined || given.subnetIds !== undefined) {
    if (given.vpcId === undefined || !given.subnetIds?.length) throw new Error(`${name}: vpcId and subnetIds go together (the subnets of that VPC)`);
    return { vpcId: pulumi.output(given.vpcId), subnetIds: given.subnetIds.map((s) => pulumi.output(s)), ipv6 };
  }
  return newVpc(name, ipv6, parent);
}

function newVpc(name: string, ipv6: boolean, parent: pulumi.Resource): AwsNetwork {
  const opts = { parent };
  const vpc = new aws.ec2.Vpc(
    `${name}-vpc`,
    { cidrBlock: VPC_CIDR, enableDnsHostnames: true, enableDnsSupport: true, assignGeneratedIpv6CidrBlock: ipv6, tags: { Name: `${name}-vpc` } },
    opts,
  );
  const gateway = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { Name: `${name}-igw` } }, opts);
  const routes = new aws.ec2.RouteTable(
    `${name}-public`,
    {
      vpcId: vpc.id,
      routes: [
        { cidrBlock: '0.0.0.0/0', gatewayId: gateway.id },
        ...(ipv6 ? [{ ipv6CidrBlock: '::/0', gatewayId: gateway.id }] : []),
      ],
      tags: { Name: `${name}-public` },
    },
    opts,
  );
  const zones = aws.getAvailabilityZonesOutput({ state: 'available' }, { parent });
  const subnetIds = SUBNET_CIDRS.map((cidrBlock, i) => {
    const subnet = new aws.ec2.Subnet(
      `${name}-public-${i + 1}`,
      {
        vpcId: vpc.id,
        cidrBlock,
        availabilityZone: zones.names.apply((names) => names[i % names.length]),
        mapPublicIpOnLaunch: true,
        ...(ipv6 && { ipv6CidrBlock: vpc.ipv6CidrBlock.apply((block) => ipv6Subnet64(block, i)), assignIpv6AddressOnCreation: true }),
        tags: { Name: `${name}-public-${i + 1}` },
      },
      opts,
    );
    new aws.ec2.RouteTableAssociation(`${name}-public-${i + 1}`, { subnetId: subnet.id, routeTableId: routes.id }, opts);
    return subnet.id;
  });
  return { vpcId: vpc.id, subnetIds, ipv6 };
}

/** The `index`-th /64 of a VPC's Amazon /56 (`2600:1f18:a:b00::/56`, 1 → `2600:1f18:a:b01::/64`). */
export function ipv6Subnet64(block56: string, index: number): string {
  const [address, length] = block56.split('/');
  if (length !== '56' || index < 0 || index > 255) throw new Error(`ipv6Subnet64: want a /56 and 0-255, got ${block56} and ${index}`);
  const nibbles = expandIpv6(address).slice(0, 14) + index.toString(16).padStart(2, '0');
  const groups = nibbles.match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, ''));
  return `${groups.join(':')}::/64`;
}

/** 32 hex digits of an IPv6 address. */
function expandIpv6(address: string): string {
  const [head, tail = ''] = address.split('::');
  const parts = (s: string) => (s ? s.split(':') : []);
  const h = parts(head);
  const t = parts(tail);
  const groups = address.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.map((g) => g.padStart(4, '0')).join('');
}
