// The security-group policies on rules shaped like @pulumi/aws inputs, in all three forms.
import type * as aws from '@pulumi/aws';
import { internetIngressHttpOnly, noSshIngress } from '../../policy/policies/security-groups';
import { violationsOf } from './policy-harness';

const SG = 'aws:ec2/securityGroup:SecurityGroup';
const INGRESS_RULE = 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule';
const SG_RULE = 'aws:ec2/securityGroupRule:SecurityGroupRule';

const group = (ingress: aws.types.input.ec2.SecurityGroupIngress[]): aws.ec2.SecurityGroupArgs => ({ vpcId: 'vpc-1', ingress });
const tcp = (port: number, source: Partial<aws.types.input.ec2.SecurityGroupIngress>): aws.types.input.ec2.SecurityGroupIngress => ({
  protocol: 'tcp',
  fromPort: port,
  toPort: port,
  ...source,
});

describe('portico-internet-ingress-http-only', () => {
  const check = (type: string, props: object, config = {}) => violationsOf(internetIngressHttpOnly, { type, props }, config);

  it('passes the proxy tier: 80 and 443 from everyone, IPv4 and IPv6', async () => {
    const props = group([
      tcp(80, { cidrBlocks: ['0.0.0.0/0'], ipv6CidrBlocks: ['::/0'] }),
      tcp(443, { cidrBlocks: ['0.0.0.0/0'], ipv6CidrBlocks: ['::/0'] }),
    ]);
    expect(await check(SG, props)).toEqual([]);
  });

  it('passes any port from a private block or another security group', async () => {
    const props = group([
      tcp(3000, { securityGroups: ['sg-proxy'] }),
      { protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: ['10.0.0.0/16'] },
      tcp(9901, { cidrBlocks: ['10.0.0.0/8'] }),
    ]);
    expect(await check(SG, props)).toEqual([]);
  });

  it('refuses another port, a range, UDP and all traffic from the internet', async () => {
    const props = group([
      tcp(3000, { cidrBlocks: ['0.0.0.0/0'] }),
      { protocol: 'tcp', fromPort: 80, toPort: 443, ipv6CidrBlocks: ['::/0'] },
      { protocol: 'udp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'] },
      { protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: ['0.0.0.0/0'] },
    ]);
    expect(await check(SG, props)).toEqual([
      'ingress[0]: 0.0.0.0/0 may reach TCP 80 and 443 only, not tcp 3000',
      'ingress[1]: ::/0 may reach TCP 80 and 443 only, not tcp 80-443',
      'ingress[2]: 0.0.0.0/0 may reach TCP 80 and 443 only, not udp 443',
      // All traffic includes the admin port: the more specific message.
      'ingress[3]: the admin port 9901 is open to 0.0.0.0/0; reach the dashboard through SSM port forwarding instead',
    ]);
  });

  it('counts a block as wide as half the internet as the internet (0.0.0.0/1 + 128.0.0.0/1)', async () => {
    const props = group([tcp(8080, { cidrBlocks: ['0.0.0.0/1', '128.0.0.0/1', '203.0.113.0/24'] })]);
    expect(await check(SG, props)).toEqual([
      'ingress[0]: 0.0.0.0/1 may reach TCP 80 and 443 only, not tcp 8080',
      'ingress[0]: 128.0.0.0/1 may reach TCP 80 and 443 only, not tcp 8080',
    ]);
  });

  it('refuses the admin port from the internet, at the port the stack configured', async () => {
    const rule: aws.vpc.SecurityGroupIngressRuleArgs = { securityGroupId: 'sg-1', ipProtocol: 'tcp', fromPort: 19901, toPort: 19901, cidrIpv6: '::/0' };
    expect(await check(INGRESS_RULE, rule, { adminPorts: [19901] })).toEqual([
      'the admin port 19901 is open to ::/0; reach the dashboard through SSM port forwarding instead',
    ]);
    expect(await check(INGRESS_RULE, { ...rule, fromPort: 9901, toPort: 9901 })).toEqual([
      'the admin port 9901 is open to ::/0; reach the dashboard through SSM port forwarding instead',
    ]);
  });

  it('reads aws.vpc.SecurityGroupIngressRule: 443 from everyone passes, "-1" (every port) does not', async () => {
    const https: aws.vpc.SecurityGroupIngressRuleArgs = { securityGroupId: 'sg-1', ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: '0.0.0.0/0' };
    expect(await check(INGRESS_RULE, https)).toEqual([]);
    const everything: aws.vpc.SecurityGroupIngressRuleArgs = { securityGroupId: 'sg-1', ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' };
    expect(await check(INGRESS_RULE, everything)).toHaveLength(1);
  });

  it('reads aws.ec2.SecurityGroupRule of type ingress, and leaves egress alone', async () => {
    const rule: aws.ec2.SecurityGroupRuleArgs = { type: 'ingress', securityGroupId: 'sg-1', protocol: '6', fromPort: 8443, toPort: 8443, cidrBlocks: ['0.0.0.0/0'] };
    expect(await check(SG_RULE, rule)).toEqual(['0.0.0.0/0 may reach TCP 80 and 443 only, not tcp 8443']);
    expect(await check(SG_RULE, { ...rule, type: 'egress', protocol: '-1' })).toEqual([]);
  });

  it('refuses a source that is not a CIDR block rather than guess', async () => {
    expect(await check(SG, group([tcp(443, { cidrBlocks: ['0.0.0.0', 'everyone/0'] })]))).toEqual([
      'ingress[0]: source "0.0.0.0" is not a CIDR block',
      'ingress[0]: source "everyone/0" is not a CIDR block',
    ]);
  });

  it('ignores other resource types and survives malformed ingress lists', async () => {
    expect(await check('aws:ec2/instance:Instance', { ingress: [tcp(22, { cidrBlocks: ['0.0.0.0/0'] })] })).toEqual([]);
    expect(await check(SG, { ingress: 'all' })).toEqual([]);
    // A rule without a protocol or ports is read as all traffic.
    expect(await check(SG, { ingress: [null, { cidrBlocks: ['0.0.0.0/0'] }] })).toEqual([
      'ingress[1]: the admin port 9901 is open to 0.0.0.0/0; reach the dashboard through SSM port forwarding instead',
    ]);
  });
});

describe('portico-no-ssh-ingress', () => {
  const check = (type: string, props: object) => violationsOf(noSshIngress, { type, props });

  it('passes rules that do not reach TCP 22', async () => {
    const props = group([tcp(443, { cidrBlocks: ['0.0.0.0/0'] }), tcp(3000, { securityGroups: ['sg-proxy'] }), { protocol: 'udp', fromPort: 0, toPort: 65535, self: true }]);
    expect(await check(SG, props)).toEqual([]);
  });

  it('refuses SSH from anywhere, even a private block or a security group', async () => {
    const props = group([tcp(22, { cidrBlocks: ['10.0.0.0/16'] }), { protocol: 'tcp', fromPort: 0, toPort: 1024, securityGroups: ['sg-bastion'] }]);
    expect(await check(SG, props)).toEqual([
      'ingress[0]: tcp 22 admits SSH (TCP 22) from 10.0.0.0/16; use SSM Session Manager instead',
      'ingress[1]: tcp 0-1024 admits SSH (TCP 22) from sg-bastion; use SSM Session Manager instead',
    ]);
  });

  it('refuses all traffic, which includes SSH, in each rule form', async () => {
    const rule: aws.vpc.SecurityGroupIngressRuleArgs = { securityGroupId: 'sg-1', ipProtocol: 'all', referencedSecurityGroupId: 'sg-proxy' };
    expect(await check(INGRESS_RULE, rule)).toEqual(['all traffic admits SSH (TCP 22) from sg-proxy; use SSM Session Manager instead']);
    const selfRule: aws.ec2.SecurityGroupRuleArgs = { type: 'ingress', securityGroupId: 'sg-1', protocol: '-1', fromPort: 0, toPort: 0, self: true };
    expect(await check(SG_RULE, selfRule)).toEqual(['all traffic admits SSH (TCP 22) from self; use SSM Session Manager instead']);
  });
});
