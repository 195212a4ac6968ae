// What the AWS target needs beyond the plan: where the VMs go, which machines, TLS and DNS.
import type * as pulumi from '@pulumi/pulumi';
import type { AppArgs, ProxyImageArgs } from '../../args';
import type { AwsTlsMode } from './proxy-tls';

export interface AwsStackOptions {
  /** An existing VPC; with `subnetIds`. Absent: a new VPC with public subnets in two zones. */
  vpcId?: pulumi.Input<string>;
  /** Public subnets of `vpcId` (a route to an internet gateway); VMs are spread over them in order. */
  subnetIds?: pulumi.Input<string>[];
  /** Give the proxy tier IPv6 (AAAA records). A new VPC gets an Amazon IPv6 block; given subnets must have one. */
  ipv6?: boolean;
  /** EC2 type of the app VMs; the plan's instances per VM come from its vCPUs (instanceVcpus). */
  appInstanceType?: string;
  /** Proxy VMs: 1 has an Elastic IP; more sit behind a Network Load Balancer. */
  proxyVms?: number;
  proxyInstanceType?: string;
  /** An AMI id for every VM; default: the newest Amazon Linux 2023 for the type's architecture (looked up once, then kept). */
  amiId?: string;
  /** Root volume size (GiB), encrypted gp3. */
  rootVolumeGiB?: number;
  /** The user's app: a prebuilt `image` or a `build` (pushed to ECR), its `env`. Default: app-sample built from this repo. */
  app?: AppArgs;
  /** The proxy image: prebuilt, or built from this package's proxy/Dockerfile (pushed to ECR). */
  proxy?: ProxyImageArgs;
  tls?: AwsTlsOptions;
  dns?: AwsDnsOptions;
}

export interface AwsTlsOptions {
  /** acme (default): Let's Encrypt by the proxy; certificates: the two PEM secrets below; off: HTTP only. */
  mode?: AwsTlsMode;
  /** Let's Encrypt's staging directory (untrusted certificates, generous rate limits). */
  staging?: boolean;
  email?: string;
  certificatePem?: pulumi.Input<string>;
  privateKeyPem?: pulumi.Input<string>;
}

export interface AwsDnsOptions {
  /** The hosted zone of the stack's hostnames; or `zoneName` to look it up. Neither: no records. */
  zoneId?: pulumi.Input<string>;
  zoneName?: string;
  /** TTL of A/AAAA records at an Elastic IP (alias records at a load balancer have none). */
  ttl?: number;
}

export const AWS_DEFAULTS = {
  appInstanceType: 't3.small',
  proxyVms: 1,
  proxyInstanceType: 't3.small',
  rootVolumeGiB: 16,
  tlsMode: 'acme',
  dnsTtl: 300,
} as const;
