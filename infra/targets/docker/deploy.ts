// The docker target: a StackPlan rendered as resources on one Docker engine — the apps' internal
// network, the app fleet, then the edge proxy (created once the apps are healthy).
import type * as docker from '@pulumi/docker';
import type * as pulumi from '@pulumi/pulumi';
import type { AppArgs, ProxyImageArgs, ProxyListenArgs, UpstreamPolicyArgs } from '../../args';
import type { StackPlan } from '../../plan';
import { AppFleet } from './app-fleet';
import { EdgeProxy } from './edge-proxy';
import { appNetwork } from './network';

/** The public args the plan was made from: the components re-plan their part from the same values. */
export interface DockerStackOptions extends ProxyListenArgs, UpstreamPolicyArgs {
  app: AppArgs;
  proxy?: ProxyImageArgs;
  /** The stack's certificate (absent for an ACME stack). */
  tlsCertPem?: pulumi.Input<string>;
  tlsKeyPem?: pulumi.Input<string>;
}

export interface DockerStack {
  network: docker.Network;
  fleet: AppFleet;
  proxy: EdgeProxy;
}

/** Children are named `${name}-net`, `${name}-app`, `${name}-proxy`, all parented to `parent`. */
export function deployDockerStack(name: string, plan: StackPlan, options: DockerStackOptions, parent: pulumi.Resource): DockerStack {
  if (plan.network === undefined) throw new Error(`stack "${plan.stackName}" has no docker network: it is planned for target ${plan.target}`);
  const network = appNetwork(`${name}-net`, plan.network, plan.stackName, { parent });
  const { app, proxy: proxyImage, ...proxySettings } = options;
  const fleet = new AppFleet(
    `${name}-app`,
    {
      app,
      networkName: network.name,
      stackName: plan.stackName,
      instances: plan.apps.length,
      healthCheck: options.healthCheck,
      healthCheckInterval: options.healthCheckInterval,
    },
    { parent },
  );
  const proxy = new EdgeProxy(
    `${name}-proxy`,
    {
      ...proxySettings,
      healthCheckPath: options.healthCheckPath ?? app.healthPath,
      appAddresses: fleet.addresses,
      networkName: network.name,
      stackName: plan.stackName,
      proxy: proxyImage,
    },
    { parent },
  );
  return { network, fleet, proxy };
}
