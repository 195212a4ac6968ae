// Security groups of the AWS target: the internet reaches the proxy tier on TCP 80 and 443 only,
// never the admin listener, and nothing reaches SSH (instances are reached through SSM).
import type { ResourceValidationPolicy } from '@pulumi/policy';
import { classifyCidr } from './cidr';
import { admitsTcpPort, at, describeRule, describeSources, ingressRulesOf, isIngressType, type IngressRule } from './ingress-rules';
import { adminPortsOf, adminPortsSchema, type AdminPortSettings } from './settings';

const PUBLIC_TCP_PORTS = [80, 443];
const SSH_PORT = 22;

export const internetIngressHttpOnly: ResourceValidationPolicy = {
  name: 'portico-internet-ingress-http-only',
  description: 'Security groups admit 0.0.0.0/0 and ::/0 on TCP 80 and 443 only, and never on the admin port.',
  enforcementLevel: 'mandatory',
  configSchema: adminPortsSchema,
  validateResource: (args, reportViolation) => {
    if (!isIngressType(args.type)) return;
    const adminPorts = adminPortsOf(args.getConfig<AdminPortSettings>());
    for (const rule of ingressRulesOf(args.type, args.props)) {
      for (const cidr of rule.cidrs()) {
        const verdict = classifyCidr(cidr);
        if (verdict === 'invalid') {
          reportViolation(`${at(rule)}source ${JSON.stringify(cidr)} is not a CIDR block`);
          continue;
        }
        if (verdict === 'limited') continue;
        const admin = adminPorts.find((port) => admitsTcpPort(rule, port));
        if (admin !== undefined) {
          reportViolation(`${at(rule)}the admin port ${admin} is open to ${cidr}; reach the dashboard through SSM port forwarding instead`);
        } else if (!isPublicWebRule(rule)) {
          reportViolation(`${at(rule)}${cidr} may reach TCP 80 and 443 only, not ${describeRule(rule)}`);
        }
      }
    }
  },
};

export const noSshIngress: ResourceValidationPolicy = {
  name: 'portico-no-ssh-ingress',
  description: 'No security group admits SSH (TCP 22) from anywhere: instances are reached through SSM Session Manager.',
  enforcementLevel: 'mandatory',
  validateResource: (args, reportViolation) => {
    for (const rule of ingressRulesOf(args.type, args.props)) {
      if (!admitsTcpPort(rule, SSH_PORT)) continue;
      reportViolation(`${at(rule)}${describeRule(rule)} admits SSH (TCP 22) from ${describeSources(rule)}; use SSM Session Manager instead`);
    }
  },
};

/** One web port over TCP: what the proxy tier serves to everyone. */
function isPublicWebRule(rule: IngressRule): boolean {
  return rule.protocol === 'tcp' && rule.fromPort === rule.toPort && PUBLIC_TCP_PORTS.includes(rule.fromPort);
}
