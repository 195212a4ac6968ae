// Route53 records for each hostname at the proxy tier: A (and AAAA with IPv6) at the Elastic IP
// and the proxy's IPv6 address, or alias records at the load balancer (aliases have no TTL).
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { AwsDnsOptions } from './options';
import type { ProxyTier } from './proxy-tier';

export const DEFAULT_DNS_TTL = 300;

/** The zone to write into: given, looked up by name, or none (no records). */
export function hostedZoneId(dns: AwsDnsOptions | undefined, parent: pulumi.Resource): pulumi.Output<string> | undefined {
  if (dns?.zoneId !== undefined) return pulumi.output(dns.zoneId);
  if (dns?.zoneName !== undefined) return aws.route53.getZoneOutput({ name: dns.zoneName, privateZone: false }, { parent }).zoneId;
  return undefined;
}

export function dnsRecords(
  name: string,
  args: { zoneId: pulumi.Input<string>; hostnames: string[]; tier: ProxyTier; ipv6: boolean; ttl?: number },
  parent: pulumi.Resource,
): aws.route53.Record[] {
  const { tier } = args;
  const types = args.ipv6 ? (['A', 'AAAA'] as const) : (['A'] as const);
  return args.hostnames.flatMap((hostname) =>
    types.map((type) => {
      const common = { zoneId: args.zoneId, name: hostname, type };
      const record = tier.nlb
        ? { ...common, aliases: [{ name: tier.nlb.dnsName, zoneId: tier.nlb.zoneId, evaluateTargetHealth: true }] }
        : { ...common, ttl: args.ttl ?? DEFAULT_DNS_TTL, records: [type === 'A' ? tier.eip!.publicIp : tier.vms[0].ipv6Addresses.apply((a) => a[0])] };
      return new aws.route53.Record(`${name}-${recordName(hostname)}-${type.toLowerCase()}`, record, { parent });
    }),
  );
}

/** `*.shop.example.com` -> `star-shop-example-com`: a resource name. */
function recordName(hostname: string): string {
  return hostname.replace(/^\*\./, 'star.').replace(/[^a-z0-9]+/gi, '-').toLowerCase();
}
