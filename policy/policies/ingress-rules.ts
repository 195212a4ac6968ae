// The ingress rules of the AWS resources that open a security group, in one shape: an inline
// `ingress` list on aws.ec2.SecurityGroup (and DefaultSecurityGroup), aws.vpc.SecurityGroupIngressRule (one rule, one source)
// and aws.ec2.SecurityGroupRule of type "ingress". Values as the provider receives them; anything
// missing or malformed is read as the widest thing it could mean.
import { known, NOT_KNOWN } from './known';
import type { Props } from './props';

export const SECURITY_GROUP = 'aws:ec2/securityGroup:SecurityGroup';
/** The VPC's default group: the same inline `ingress`, and every instance launched without a group joins it. */
export const DEFAULT_SECURITY_GROUP = 'aws:ec2/defaultSecurityGroup:DefaultSecurityGroup';
export const SECURITY_GROUP_INGRESS_RULE = 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule';
export const SECURITY_GROUP_RULE = 'aws:ec2/securityGroupRule:SecurityGroupRule';

export type Protocol = 'tcp' | 'udp' | 'icmp' | 'icmpv6' | 'all' | string;

export interface IngressRule {
  /** Where in the resource ('ingress[1]'), or '' for a resource that is one rule. */
  where: string;
  protocol: Protocol;
  fromPort: number;
  toPort: number;
  /** IPv4 and IPv6 source blocks (read when asked: a preview may not know them yet). */
  cidrs(): unknown[];
  /** Sources that are not address blocks (security groups, self, prefix lists), for messages. */
  otherSources(): string[];
}

/** The ingress rules a resource of this type opens; [] for any other type (and for egress rules). */
export function ingressRulesOf(type: string, props: Props): IngressRule[] {
  switch (type) {
    case SECURITY_GROUP:
    case DEFAULT_SECURITY_GROUP:
      // Indexed as written, so a message names the rule the program wrote.
      return (Array.isArray(props.ingress) ? props.ingress : []).flatMap((rule: Props | null | undefined, i: number) =>
        rule === null || rule === undefined
          ? []
          : ruleOf(
              `ingress[${i}]`,
              rule.protocol,
              rule.fromPort,
              rule.toPort,
              () => [...listOf(rule.cidrBlocks), ...listOf(rule.ipv6CidrBlocks)],
              () => [...listOf(rule.securityGroups).map(String), ...listOf(rule.prefixListIds).map(String), ...(rule.self ? ['self'] : [])],
            ),
      );
    case SECURITY_GROUP_INGRESS_RULE:
      return [
        ruleOf(
          '',
          props.ipProtocol,
          props.fromPort,
          props.toPort,
          () => [props.cidrIpv4, props.cidrIpv6].filter(present),
          () => [props.referencedSecurityGroupId, props.prefixListId].filter(present).map(String),
        ),
      ];
    case SECURITY_GROUP_RULE:
      if (props.type !== 'ingress') return [];
      return [
        ruleOf(
          '',
          props.protocol,
          props.fromPort,
          props.toPort,
          () => [...listOf(props.cidrBlocks), ...listOf(props.ipv6CidrBlocks)],
          () => [...[props.sourceSecurityGroupId, ...listOf(props.prefixListIds)].filter(present).map(String), ...(props.self ? ['self'] : [])],
        ),
      ];
    default:
      return [];
  }
}

export function isIngressType(type: string): boolean {
  return type === SECURITY_GROUP || type === DEFAULT_SECURITY_GROUP || type === SECURITY_GROUP_INGRESS_RULE || type === SECURITY_GROUP_RULE;
}

/** Whether TCP traffic to this port passes the rule. */
export function admitsTcpPort(rule: IngressRule, port: number): boolean {
  return (rule.protocol === 'tcp' || rule.protocol === 'all') && rule.fromPort <= port && port <= rule.toPort;
}

export function describeRule(rule: IngressRule): string {
  if (rule.protocol === 'all') return 'all traffic';
  const ports = rule.fromPort === rule.toPort ? `${rule.fromPort}` : `${rule.fromPort}-${rule.toPort}`;
  return `${rule.protocol} ${ports}`;
}

/** Every source of a rule, for a message; a preview may not know a security group's id yet. */
export function describeSources(rule: IngressRule): string {
  const sources = known(() => [...rule.cidrs().map(String), ...rule.otherSources()]);
  if (sources === NOT_KNOWN) return 'sources not known until deployed';
  return sources.join(', ') || 'its sources';
}

/** `ingress[1]: ` or '' — the prefix of a message about one rule. */
export function at(rule: IngressRule): string {
  return rule.where ? `${rule.where}: ` : '';
}

function ruleOf(where: string, protocol: unknown, fromPort: unknown, toPort: unknown, cidrs: () => unknown[], otherSources: () => string[]): IngressRule {
  const proto = protocolOf(protocol);
  // All traffic, or a port range the rule leaves out: every port.
  const everyPort = proto === 'all' || !isPortNumber(fromPort) || !isPortNumber(toPort);
  return {
    where,
    protocol: proto,
    fromPort: everyPort ? 0 : (fromPort as number),
    toPort: everyPort ? 65535 : (toPort as number),
    cidrs,
    otherSources,
  };
}

/** AWS accepts names and IANA numbers, any case; "-1" (and "all") is every protocol. */
function protocolOf(value: unknown): Protocol {
  const text = String(value === undefined || value === null ? '-1' : value).trim().toLowerCase();
  switch (text) {
    case '-1':
    case 'all':
      return 'all';
    case '6':
      return 'tcp';
    case '17':
      return 'udp';
    case '1':
      return 'icmp';
    case '58':
      return 'icmpv6';
    default:
      return text;
  }
}

function isPortNumber(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function listOf(value: unknown): any[] {
  return Array.isArray(value) ? value.filter((v) => v !== null && v !== undefined) : [];
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}
