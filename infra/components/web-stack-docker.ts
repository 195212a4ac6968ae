// WebStack on docker: the plan made from the args at once (sizing is plain values, or the engine's
// CPUs when asked), a local CA's certificate for the names, then the docker target's resources.
import * as pulumi from '@pulumi/pulumi';
import type { WebStackArgs } from '../args';
import { planStack, stackArgsOf } from '../plan';
import { deployDockerStack, engineCores } from '../targets/docker';
import { Certificate } from './certificate';
import type { StackDeployment } from './stack-deployment';

export function dockerDeployment(type: string, name: string, args: WebStackArgs): StackDeployment {
  const plan = planStack(stackArgsOf(args.stackName ?? name, 'docker', args, engineCores(type, name, args)));
  return {
    deploy(parent) {
      const [wanted] = plan.certificates;
      const certificate = new Certificate(wanted.name, { hostnames: wanted.hostnames }, { parent });
      const { network, fleet, proxy } = deployDockerStack(name, plan, args, parent);
      return {
        plan,
        urls: proxy.url.apply(() => plan.urls),
        proxyUrl: proxy.url,
        appAddresses: fleet.addresses,
        instanceCount: pulumi.output(plan.apps.length),
        networkName: network.name,
        proxyConfig: proxy.configJson,
        caCertPem: certificate.caCertPem,
        dashboardUrl: proxy.dashboardUrl,
        // The dashboard is published on the Docker host's loopback: dashboardUrl opens it as it is.
        dashboardCommand: pulumi.output(''),
        appVmIds: pulumi.output([]),
      };
    },
  };
}
