// What WebStack asks of each target: check the args before any resource exists, then deploy under
// the component and hand back its outputs. One file per target (web-stack-docker.ts, -aws.ts).
import type * as pulumi from '@pulumi/pulumi';
import type { StackPlan } from '../plan';

export interface StackDeployment {
  /** Creates the target's resources under `parent`; called once, right after the component registers. */
  deploy(parent: pulumi.ComponentResource): DeployedStack;
}

/** WebStack's outputs, as each target fills them (README: "WebStack outputs"). */
export interface DeployedStack {
  /** The plan, or (aws sized by its VM type's vCPUs) the plan once the lookup answers. */
  plan: StackPlan | pulumi.Output<StackPlan>;
  urls: pulumi.Output<string[]>;
  /** One https URL per hostname; empty when the stack serves no HTTPS (aws with TLS off). */
  httpsUrls: pulumi.Output<string[]>;
  proxyUrl: pulumi.Output<string>;
  /** '' when the stack serves no HTTPS. */
  proxyHttpsUrl: pulumi.Output<string>;
  appAddresses: pulumi.Output<string[]>;
  instanceCount: pulumi.Output<number>;
  networkName: pulumi.Output<string>;
  proxyConfig: pulumi.Output<string>;
  caCertPem: pulumi.Output<string>;
  dashboardUrl: pulumi.Output<string>;
  dashboardCommand: pulumi.Output<string>;
  appVmIds: pulumi.Output<string[]>;
}
