// WebStack: the whole front door — the user's app instances, the Portico proxy before them, and a
// certificate for the stack's names — planned by planStack and deployed on a target. The one place
// that picks a target: components depend on targets, never the other way (infra/README.md).
import * as pulumi from '@pulumi/pulumi';
import { ComponentArgsError, type WebStackArgs } from '../args';
import { planStack, stackArgsOf, type StackPlan } from '../plan';
import { requirePulumiTarget, type PulumiTargetName } from '../targets';
import { checkApp, deployDockerStack, engineCores } from '../targets/docker';
import { Certificate } from './certificate';

export type { WebStackArgs };

export const DEFAULT_TARGET: PulumiTargetName = 'docker';

/** The plan behind each stack; not a property, which the package schema would have to describe. */
const plans = new WeakMap<WebStack, StackPlan>();

export class WebStack extends pulumi.ComponentResource {
  static readonly type = 'portico:index:WebStack';

  /** One URL per hostname, e.g. http://localhost:8080/. */
  readonly urls: pulumi.Output<string[]>;
  /** One HTTPS URL per hostname (h2 and HTTP/1.1), e.g. https://localhost:8443/. */
  readonly httpsUrls: pulumi.Output<string[]>;
  /** The address the proxy is published on, reachable even when no hostname resolves. */
  readonly proxyUrl: pulumi.Output<string>;
  /** The same for HTTPS (a client must then name a hostname by SNI, e.g. curl --resolve). */
  readonly proxyHttpsUrl: pulumi.Output<string>;
  /** The upstream addresses the proxy balances over, e.g. portico-dev-app-1:3000. */
  readonly appAddresses: pulumi.Output<string[]>;
  /** How many app instances run. */
  readonly instanceCount: pulumi.Output<number>;
  /** docker: the apps' internal network. */
  readonly networkName: pulumi.Output<string>;
  /** The proxy's config file, as the proxy reads it. */
  readonly proxyConfig: pulumi.Output<string>;
  /** Trust this CA to trust the stack's certificate; '' for an ACME stack (a public CA signs it). */
  readonly caCertPem: pulumi.Output<string>;
  /** The proxy's admin dashboard on the Docker host's loopback, `#token=…` included: a secret. */
  readonly dashboardUrl: pulumi.Output<string>;

  constructor(name: string, args: WebStackArgs, opts: pulumi.ComponentResourceOptions = {}) {
    // Everything is checked (target, app, then the plan's args) before the component or any child exists.
    const target = requirePulumiTarget(args?.target ?? DEFAULT_TARGET);
    checkApp(WebStack.type, name, args.app);
    const image = args.proxy ?? {};
    if (image.image !== undefined && (image.baseImage !== undefined || image.buildNetwork !== undefined)) {
      throw new ComponentArgsError(WebStack.type, name, 'proxy.image conflicts with proxy.baseImage and proxy.buildNetwork (they build the image)');
    }
    const plan = planStack(stackArgsOf(args.stackName ?? name, target, args, engineCores(WebStack.type, name, args)));
    super(WebStack.type, name, {}, opts);
    plans.set(this, plan);

    // None for an ACME stack: the proxy obtains its certificates itself.
    const certificate = plan.certificates.map((c) => new Certificate(c.name, { hostnames: c.hostnames }, { parent: this }))[0];
    const tls = certificate && { tlsCertPem: certificate.certPem, tlsKeyPem: certificate.privateKeyPem };
    // The target switch: `aws` joins here once infra/targets/aws exposes deployAwsStack.
    const { network, fleet, proxy } = deployDockerStack(name, plan, { ...args, ...tls }, this);

    this.urls = proxy.url.apply(() => plan.urls);
    this.httpsUrls = proxy.httpsUrl.apply(() => plan.httpsUrls);
    this.proxyUrl = proxy.url;
    this.proxyHttpsUrl = proxy.httpsUrl;
    this.appAddresses = fleet.addresses;
    this.instanceCount = pulumi.output(plan.apps.length);
    this.networkName = network.name;
    this.proxyConfig = proxy.configJson;
    this.caCertPem = certificate ? certificate.caCertPem : pulumi.output('');
    this.dashboardUrl = proxy.dashboardUrl;
    this.registerOutputs({
      dashboardUrl: this.dashboardUrl,
      urls: this.urls,
      httpsUrls: this.httpsUrls,
      proxyUrl: this.proxyUrl,
      proxyHttpsUrl: this.proxyHttpsUrl,
      appAddresses: this.appAddresses,
      instanceCount: this.instanceCount,
      networkName: this.networkName,
      proxyConfig: this.proxyConfig,
      caCertPem: this.caCertPem,
    });
  }

  /** Every decision behind this stack, for inspection and tests. */
  get plan(): StackPlan {
    return plans.get(this)!;
  }
}
