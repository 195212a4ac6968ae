// The args of each public component (the `args` parameter of its one constructor).
import type * as pulumi from '@pulumi/pulumi';
import type { AppArgs } from './app-args';
import type { AwsArgs } from './aws-args';
import type { ProxyImageArgs, ProxyListenArgs, UpstreamPolicyArgs } from './proxy-args';

/** How many app instances run. Plain values: the count decides how many resources exist. */
export interface SizingArgs {
  /** An explicit number of instances; wins over the rest. */
  readonly instances?: number;
  /** Cores of the machine the apps run on: one instance each. */
  readonly cores?: number;
  /**
   * docker: one instance per CPU of the Docker engine (`docker info`), asked when the program
   * runs, so a preview on another engine differs. Default: false (`instances`, else 2).
   */
  readonly sizeToEngine?: boolean;
}

/** The whole front door: app instances, the Portico proxy before them, and a certificate. */
export interface WebStackArgs extends SizingArgs, ProxyListenArgs, UpstreamPolicyArgs {
  /** The user's app. */
  readonly app: AppArgs;
  /** Where the stack runs: docker (default) or aws. */
  readonly target?: string;
  /** Prefix of every resource's name (containers, network). Default: the component's name. */
  readonly stackName?: string;
  /** The proxy's image. Default: built from this package's proxy/Dockerfile. */
  readonly proxy?: ProxyImageArgs;
  /** target aws: VMs, network, TLS and DNS (ignored on docker). */
  readonly aws?: AwsArgs;
}

/** docker: the app instances, one container each on a given network. */
export interface AppFleetArgs extends SizingArgs {
  readonly app: AppArgs;
  /** The network the containers join (pass `network.name`, so they depend on it). */
  readonly networkName: pulumi.Input<string>;
  /** Containers are named `${stackName}-app-1`, … Default: the component's name. */
  readonly stackName?: string;
  /**
   * Whether the proxy in front checks the instances, and how often: a stopping instance keeps
   * serving (its health path answering 503) one interval and a second, so the proxy sees it leave.
   * The same values as the EdgeProxy's. Default: true, `2s`.
   */
  readonly healthCheck?: boolean;
  readonly healthCheckInterval?: string;
}

/** docker: the Portico proxy container in front of given app addresses. */
export interface EdgeProxyArgs extends ProxyListenArgs, UpstreamPolicyArgs {
  /**
   * The app instances' `host:port` on the network, e.g. an AppFleet's `addresses`: the proxy
   * container then starts only after those containers are created (and, with `wait`, healthy).
   */
  readonly appAddresses: pulumi.Input<pulumi.Input<string>[]>;
  /** The network the proxy joins besides its published one (pass `network.name`). */
  readonly networkName: pulumi.Input<string>;
  /** The container is named `${stackName}-proxy`. Default: the component's name. */
  readonly stackName?: string;
  readonly proxy?: ProxyImageArgs;
  /** The HTTPS listener's certificate (PEM, chain after it), e.g. a Certificate's `certPem`. Required unless `acme`. */
  readonly tlsCertPem?: pulumi.Input<string>;
  /** Its private key (PEM), e.g. a Certificate's `privateKeyPem`; uploaded 0640, kept a secret in the state. */
  readonly tlsKeyPem?: pulumi.Input<string>;
}

/** A local CA and a leaf certificate it signs for the stack's hostnames. */
export interface CertificateArgs {
  /** DNS names the leaf certificate covers (SAN), e.g. ["localhost", "*.portico.localhost"]. */
  readonly hostnames: pulumi.Input<pulumi.Input<string>[]>;
  /** IP addresses the leaf certificate covers, e.g. ["127.0.0.1"]. Default: none. */
  readonly ipAddresses?: pulumi.Input<pulumi.Input<string>[]>;
  /** Default: 90 days, like an ACME certificate; renewed by `pulumi up` in its last 30 days. */
  readonly validityHours?: pulumi.Input<number>;
  /** Default: 5 years. */
  readonly caValidityHours?: pulumi.Input<number>;
  /** Subject organization of both certificates. Default: "Portico". */
  readonly organization?: pulumi.Input<string>;
}
