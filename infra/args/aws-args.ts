// target aws: what a WebStack needs beyond the plan — where the VMs go, which machines, TLS and
// DNS. Types only, in the analyzer's shapes (the TLS mode is a string, checked when the stack is
// made). The aws target reads them (infra/targets/aws/options.ts).
import type * as pulumi from '@pulumi/pulumi';

export interface AwsArgs {
  /** App VMs; each runs one app instance per vCPU of `appInstanceType` (or `instances` / `cores`). Default: 1. */
  readonly appVms?: number;
  /** EC2 type of the app VMs; its default vCPUs (ec2 getInstanceType) size each VM. Default: `t3.small`. */
  readonly appInstanceType?: string;
  /** Proxy VMs: 1 has an Elastic IP; more sit behind a Network Load Balancer (TCP pass-through; with ACME the first orders, the others follow it). Default: 1. */
  readonly proxyVms?: number;
  /** EC2 type of the proxy VMs. Default: `t3.small`. */
  readonly proxyInstanceType?: string;
  /** An existing VPC; with `subnetIds`. Absent: a new VPC with public subnets in two zones. */
  readonly vpcId?: pulumi.Input<string>;
  /** Public subnets of `vpcId` (a route to an internet gateway); VMs are spread over them in order. */
  readonly subnetIds?: pulumi.Input<string>[];
  /** IPv6 for the proxy tier (AAAA records). A new VPC gets an Amazon block; given subnets must have one. */
  readonly ipv6?: boolean;
  /** An AMI for every VM. Default: the newest Amazon Linux 2023 for the type's architecture, looked up once and kept. */
  readonly amiId?: string;
  /** Size of each VM's encrypted gp3 root volume (GiB). Default: 16. */
  readonly rootVolumeGiB?: number;
  readonly tls?: AwsTlsArgs;
  readonly dns?: AwsDnsArgs;
}

export interface AwsTlsArgs {
  /** acme (default): Let's Encrypt by the proxy, HTTP-01 (no wildcard names; on several proxy VMs the first orders, the others follow it); certificates: the two PEM secrets below; off: HTTP only. */
  readonly mode?: string;
  /** Let's Encrypt's staging directory (untrusted certificates, generous rate limits). */
  readonly staging?: boolean;
  /** Contact for Let's Encrypt's expiry notices. */
  readonly email?: string;
  /** mode certificates: the certificate chain (PEM), as a Pulumi secret. */
  readonly certificatePem?: pulumi.Input<string>;
  /** mode certificates: the private key (PEM), as a Pulumi secret. */
  readonly privateKeyPem?: pulumi.Input<string>;
}

export interface AwsDnsArgs {
  /** The Route53 hosted zone of the stack's hostnames; or `zoneName` to look it up. Neither: no records. */
  readonly zoneId?: pulumi.Input<string>;
  readonly zoneName?: string;
  /** TTL of A/AAAA records at an Elastic IP (alias records at a load balancer have none). Default: 300. */
  readonly ttl?: number;
}
