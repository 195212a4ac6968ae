// The docker target: a StackPlan rendered as resources on one Docker engine — the stack network,
// the app fleet, then the edge proxy (started after the apps it forwards to).
import type * as docker from '@pulumi/docker';
import type * as pulumi from '@pulumi/pulumi';
import { AppFleet } from '../../components/app-fleet';
import { EdgeProxy } from '../../components/edge-proxy';
import { dockerContainers, type StackPlan } from '../../plan';
import type { ImageBuildArgs } from './images';
import { stackNetwork } from './network';

export interface DockerStackOptions {
  /** How both images are built (base image, build network, context). */
  build?: ImageBuildArgs;
}

export interface DockerStack {
  network: docker.Network;
  fleet: AppFleet;
  proxy: EdgeProxy;
}

/** Children are named `${name}-net`, `${name}-app`, `${name}-proxy`, all parented to `parent`. */
export function deployDockerStack(name: string, plan: StackPlan, options: DockerStackOptions, parent: pulumi.Resource): DockerStack {
  const containers = dockerContainers(plan);
  const network = stackNetwork(`${name}-net`, plan, { parent });
  const build = options.build ?? {};
  const fleet = new AppFleet(
    `${name}-app`,
    { containers: containers.filter((c) => c.role === 'app'), network: network.name, build },
    { parent },
  );
  const proxy = new EdgeProxy(
    `${name}-proxy`,
    { container: containers.find((c) => c.role === 'proxy')!, network: network.name, build, startAfter: [fleet] },
    { parent },
  );
  return { network, fleet, proxy };
}
