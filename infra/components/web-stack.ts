// WebStack: the whole front door — app instances sized to cores, the Portico proxy before them,
// and a certificate for the stack's names — planned by planStack and deployed on a target.
import * as pulumi from '@pulumi/pulumi';
import { planStack, type StackArgs, type StackPlan, type TargetName } from '../plan';
import { deployDockerStack } from '../targets/docker/deploy';
import type { ImageBuildArgs } from '../targets/docker/images';
import { requirePulumiTarget } from '../targets';
import { Certificate } from './certificate';

/**
 * Plain values, not inputs, for everything the plan reads: they decide how many resources exist
 * and the proxy's config, which Pulumi must know before any output resolves.
 */
export interface WebStackArgs extends Readonly<Omit<StackArgs, 'stackName' | 'target'>> {
  /** Prefix of container, network and image names. Default: the component's name. */
  readonly stackName?: string;
  /** Default: docker (the only target `pulumi up` deploys today). */
  readonly target?: TargetName;
  /** docker: how the proxy and app images are built. */
  readonly build?: ImageBuildArgs;
}

export const DEFAULT_TARGET: TargetName = 'docker';

export class WebStack extends pulumi.ComponentResource {
  static readonly type = 'portico:index:WebStack';

  /** Every decision behind this stack, for inspection and tests. */
  readonly plan: StackPlan;
  readonly certificate: Certificate;
  /** One URL per hostname, e.g. http://localhost:8080/. */
  readonly urls: pulumi.Output<string[]>;
  /** The address the proxy is published on, reachable even when no hostname resolves. */
  readonly proxyUrl: pulumi.Output<string>;
  /** The upstream addresses the proxy balances over, e.g. portico-dev-app-1:3000. */
  readonly appAddresses: pulumi.Output<string[]>;
  readonly networkName: pulumi.Output<string>;
  /** The proxy's config file, as the proxy container reads it. */
  readonly proxyConfig: pulumi.Output<string>;
  /** Trust this CA to trust the stack's certificate. */
  readonly caCertPem: pulumi.Output<string>;
  /** The proxy's admin dashboard on the Docker host's loopback, `#token=…` included: a secret. */
  readonly dashboardUrl: pulumi.Output<string>;

  constructor(name: string, args: WebStackArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    // Everything is checked (target, then the plan's args) before the component or any child exists.
    const { stackName = name, target = DEFAULT_TARGET, build, ...sizing } = args;
    requirePulumiTarget(target);
    const plan = planStack({ ...sizing, stackName, target });
    super(WebStack.type, name, {}, opts);
    this.plan = plan;

    const [wanted] = plan.certificates;
    this.certificate = new Certificate(wanted.name, { hostnames: wanted.hostnames }, { parent: this });
    const { network, fleet, proxy } = deployDockerStack(name, plan, { build }, this);

    this.urls = proxy.url.apply(() => plan.urls);
    this.proxyUrl = proxy.url;
    // From the created containers' names, so an address is reported only for a container that exists.
    this.appAddresses = pulumi.all(fleet.containers.map((c, i) => c.name.apply((n) => `${n}:${plan.apps[i].port}`)));
    this.networkName = network.name;
    this.proxyConfig = proxy.configJson;
    this.caCertPem = this.certificate.caCertPem;
    this.dashboardUrl = proxy.dashboardUrl;
    this.registerOutputs({
      dashboardUrl: this.dashboardUrl,
      urls: this.urls,
      proxyUrl: this.proxyUrl,
      appAddresses: this.appAddresses,
      networkName: this.networkName,
      proxyConfig: this.proxyConfig,
      caCertPem: this.caCertPem,
    });
  }
}
