// WebStack: the whole front door — the user's app instances, the Portico proxy before them, and a
// certificate for the stack's names — planned by planStack and deployed on a target. The one place
// that picks a target: components depend on targets, never the other way (infra/README.md).
import * as pulumi from '@pulumi/pulumi';
import { ComponentArgsError, type WebStackArgs } from '../args';
import type { StackPlan } from '../plan';
import { requirePulumiTarget, type PulumiTargetName } from '../targets';
import { checkApp } from '../targets/docker';
import type { StackDeployment } from './stack-deployment';
import { awsDeployment } from './web-stack-aws';
import { dockerDeployment } from './web-stack-docker';

export type { WebStackArgs };

export const DEFAULT_TARGET: PulumiTargetName = 'docker';

/** The plan behind each stack; not a property, which the package schema would have to describe. */
const plans = new WeakMap<WebStack, StackPlan>();

export class WebStack extends pulumi.ComponentResource {
  static readonly type = 'portico:index:WebStack';

  /** One URL per hostname, e.g. http://localhost:8080/ (aws: https://shop.example.com/). */
  readonly urls: pulumi.Output<string[]>;
  /** One HTTPS URL per hostname (h2 and HTTP/1.1), e.g. https://localhost:8443/; empty when the stack serves no HTTPS (aws, TLS off). */
  readonly httpsUrls: pulumi.Output<string[]>;
  /** The address the proxy is published on, reachable even when no hostname resolves (aws: the Elastic IP or load balancer). */
  readonly proxyUrl: pulumi.Output<string>;
  /** The same for HTTPS (a client must then name a hostname by SNI, e.g. curl --resolve); '' without HTTPS. */
  readonly proxyHttpsUrl: pulumi.Output<string>;
  /** The upstream addresses the proxy balances over, e.g. portico-dev-app-1:3000 (aws: private IP:port). */
  readonly appAddresses: pulumi.Output<string[]>;
  /** How many app instances run (aws: on all app VMs together). */
  readonly instanceCount: pulumi.Output<number>;
  /** docker: the apps' internal network. aws: the VPC id. */
  readonly networkName: pulumi.Output<string>;
  /** The proxy's config file, as the proxy reads it. */
  readonly proxyConfig: pulumi.Output<string>;
  /** docker: trust this CA to trust the stack's certificate; '' with acme (a public CA signs it). aws: '' (Let's Encrypt, or the given certificate). */
  readonly caCertPem: pulumi.Output<string>;
  /** The proxy's admin dashboard on loopback, `#token=…` included: a secret. aws: after dashboardCommand. */
  readonly dashboardUrl: pulumi.Output<string>;
  /** aws: the SSM port-forwarding command that puts the first proxy's admin listener on 127.0.0.1. docker: empty. */
  readonly dashboardCommand: pulumi.Output<string>;
  /** aws: the app VMs' instance ids. docker: none. */
  readonly appVmIds: pulumi.Output<string[]>;

  constructor(name: string, args: WebStackArgs, opts: pulumi.ComponentResourceOptions = {}) {
    // Everything is checked (target, app, then the plan's args) before the component or any child exists.
    const deployment = deploymentOf(name, args);
    super(WebStack.type, name, {}, opts);
    const deployed = deployment.deploy(this);
    if (pulumi.Output.isInstance(deployed.plan)) deployed.plan.apply((plan) => plans.set(this, plan));
    else plans.set(this, deployed.plan);

    this.urls = deployed.urls;
    this.httpsUrls = deployed.httpsUrls;
    this.proxyUrl = deployed.proxyUrl;
    this.proxyHttpsUrl = deployed.proxyHttpsUrl;
    this.appAddresses = deployed.appAddresses;
    this.instanceCount = deployed.instanceCount;
    this.networkName = deployed.networkName;
    this.proxyConfig = deployed.proxyConfig;
    this.caCertPem = deployed.caCertPem;
    this.dashboardUrl = deployed.dashboardUrl;
    this.dashboardCommand = deployed.dashboardCommand;
    this.appVmIds = deployed.appVmIds;
    this.registerOutputs({
      dashboardUrl: this.dashboardUrl,
      dashboardCommand: this.dashboardCommand,
      urls: this.urls,
      httpsUrls: this.httpsUrls,
      proxyUrl: this.proxyUrl,
      proxyHttpsUrl: this.proxyHttpsUrl,
      appAddresses: this.appAddresses,
      appVmIds: this.appVmIds,
      instanceCount: this.instanceCount,
      networkName: this.networkName,
      proxyConfig: this.proxyConfig,
      caCertPem: this.caCertPem,
    });
  }

  /**
   * Every decision behind this stack, for inspection and tests. On aws sized by the app VMs'
   * vCPUs it exists once that lookup has answered (await `instanceCount` first).
   */
  get plan(): StackPlan {
    const plan = plans.get(this);
    if (plan === undefined) throw new Error(`WebStack: the plan waits for the app VM type's vCPUs; await instanceCount first`);
    return plan;
  }
}

/** The target switch. */
function deploymentOf(name: string, args: WebStackArgs): StackDeployment {
  const target = requirePulumiTarget(args?.target ?? DEFAULT_TARGET);
  checkApp(WebStack.type, name, args.app);
  const image = args.proxy ?? {};
  if (image.image !== undefined && (image.baseImage !== undefined || image.buildNetwork !== undefined)) {
    throw new ComponentArgsError(WebStack.type, name, 'proxy.image conflicts with proxy.baseImage and proxy.buildNetwork (they build the image)');
  }
  switch (target) {
    case 'docker':
      return dockerDeployment(WebStack.type, name, args);
    case 'aws':
      return awsDeployment(WebStack.type, name, args);
  }
}
