// What the AWS target needs beyond the plan: where the VMs go, which machines, TLS and DNS.
import type * as pulumi from '@pulumi/pulumi';
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
  images?: AwsImageOptions;
  tls?: AwsTlsOptions;
  dns?: AwsDnsOptions;
}

export interface AwsImageOptions {
  /** A prebuilt app image (by digest, ideally); default: built from the repo's app Dockerfile and pushed to ECR. */
  appImage?: pulumi.Input<string>;
  /** A prebuilt proxy image; default: built from proxy/Dockerfile and pushed to ECR. */
  proxyImage?: pulumi.Input<string>;
  /** Build context of both images; default: the repo root. */
  context?: string;
  /** NODE_IMAGE build arg; default node:24-slim. */
  baseImage?: string;
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
