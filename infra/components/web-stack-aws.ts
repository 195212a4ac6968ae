// WebStack on aws: app VMs sized by their EC2 type's vCPUs (one instance each) unless the args give
// `instances` or `cores`; the plan is made once that is known, then the aws target deploys it with
// the user's app (a prebuilt image, or a build pushed to ECR). Certificates come from Let's Encrypt
// or the args, so no local CA is made here.
import * as pulumi from '@pulumi/pulumi';
import { ComponentArgsError, type WebStackArgs } from '../args';
import { planStack, stackArgsOf, type StackPlan } from '../plan';
import { AWS_DEFAULTS, awsStackOptions, deployAwsStack, instanceVcpusOutput, type AwsStack } from '../targets/aws';
import type { DeployedStack, StackDeployment } from './stack-deployment';

export function awsDeployment(type: string, name: string, args: WebStackArgs): StackDeployment {
  if (args.sizeToEngine) {
    throw new ComponentArgsError(type, name, "sizeToEngine is for target docker: on aws each app VM runs one instance per vCPU of aws.appInstanceType (or give instances)");
  }
  const planWith = (cores: number | undefined): StackPlan =>
    planStack({ ...stackArgsOf(args.stackName ?? name, 'aws', args, cores), appVms: args.aws?.appVms });
  const sized = args.instances !== undefined || args.cores !== undefined;
  // Checked now, before any resource: with a stand-in of one vCPU when the real count is looked up.
  const plan = planWith(sized ? undefined : 1);
  const options = awsStackOptions(type, name, args.aws, args.app, args.proxy, plan.certificates[0]?.hostnames ?? []);
  const https = options.tls?.mode !== 'off';
  return {
    deploy(parent) {
      if (sized) return outputsOf(plan, deployAwsStack(name, plan, options, parent), https);
      const appType = options.appInstanceType ?? AWS_DEFAULTS.appInstanceType;
      // The count decides how many containers exist, so the resources are made once it is known;
      // a data source answers in a preview too, so the preview shows them.
      const looked = instanceVcpusOutput(appType, { parent }).apply(planWith);
      return outputsOf(looked, looked.apply((p) => deployAwsStack(name, p, options, parent)), https);
    },
  };
}

/**
 * `stack` is an Output (not pulumi.output'ed: that would unwrap its resources) when it waits for the
 * lookup. `https`: TLS is on (aws.tls.mode not off), so the proxy serves 443 and `urls` are https.
 */
function outputsOf(plan: StackPlan | pulumi.Output<StackPlan>, stack: AwsStack | pulumi.Output<AwsStack>, https: boolean): DeployedStack {
  const pick = <T>(field: (s: AwsStack) => pulumi.Output<T>): pulumi.Output<T> =>
    pulumi.Output.isInstance(stack) ? stack.apply(field) : field(stack);
  const planned = pulumi.output(plan);
  return {
    plan,
    urls: pick((s) => s.urls),
    httpsUrls: https ? pick((s) => s.urls) : pulumi.output([]),
    proxyUrl: pick((s) => s.proxyAddress.apply((address) => `http://${address}/`)),
    proxyHttpsUrl: https ? pick((s) => s.proxyAddress.apply((address) => `https://${address}/`)) : pulumi.output(''),
    appAddresses: pick((s) => s.appAddresses),
    instanceCount: planned.apply((p) => p.apps.length),
    networkName: pick((s) => s.network.vpcId),
    proxyConfig: pick((s) => s.proxyConfig),
    caCertPem: pulumi.output(''),
    // Opened on 127.0.0.1 by the SSM port forwarding of dashboardCommand.
    dashboardUrl: pulumi.secret(
      pulumi
        .all([planned, pick((s) => s.adminToken)])
        .apply(([p, token]) => `${p.proxy.admin.url}${token === undefined ? '' : `#token=${encodeURIComponent(token)}`}`),
    ),
    dashboardCommand: pick((s) => s.dashboardCommand),
    appVmIds: pick((s) => s.appVmIds),
  };
}
