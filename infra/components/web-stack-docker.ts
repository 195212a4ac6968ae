// WebStack on docker: the plan made from the args at once (sizing is plain values, or the engine's
// CPUs when asked), a local CA's certificate for the names (none with acme: the proxy obtains its
// own), then the docker target's resources with the certificate uploaded for the HTTPS listener.
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
      // None for an ACME stack: the proxy obtains its certificates itself.
      const certificate = plan.certificates.map((c) => new Certificate(c.name, { hostnames: c.hostnames }, { parent }))[0];
      const tls = certificate && { tlsCertPem: certificate.certPem, tlsKeyPem: certificate.privateKeyPem };
      const { network, fleet, proxy } = deployDockerStack(name, plan, { ...args, ...tls }, parent);
      return {
        plan,
        urls: proxy.url.apply(() => plan.urls),
        httpsUrls: proxy.httpsUrl.apply(() => plan.httpsUrls),
        proxyUrl: proxy.url,
        proxyHttpsUrl: proxy.httpsUrl,
        appAddresses: fleet.addresses,
        instanceCount: pulumi.output(plan.apps.length),
        networkName: network.name,
        proxyConfig: proxy.configJson,
        caCertPem: certificate ? certificate.caCertPem : pulumi.output(''),
        dashboardUrl: proxy.dashboardUrl,
        // The dashboard is published on the Docker host's loopback: dashboardUrl opens it as it is.
        dashboardCommand: pulumi.output(''),
        appVmIds: pulumi.output([]),
      };
    },
  };
}
