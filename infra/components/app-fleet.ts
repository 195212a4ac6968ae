// AppFleet: the app instances of a stack, one container each on the stack network.
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import type { ContainerSpec } from '../plan';
import { containerArgs } from '../targets/docker/container-args';
import { ComponentArgsError } from './args-error';
import { checkImageSource, imageReference, type ImageSourceArgs } from './image-source';

export interface AppFleetArgs extends ImageSourceArgs {
  /**
   * The app containers, from `dockerContainers(planStack(...))`. Plain values, not inputs: their
   * number decides how many resources exist, which Pulumi must know before any output resolves.
   */
  readonly containers: readonly ContainerSpec[];
  /** The stack network's name (pass `network.name` so the containers depend on the network). */
  readonly network: pulumi.Input<string>;
}

export class AppFleet extends pulumi.ComponentResource {
  static readonly type = 'portico:index:AppFleet';

  readonly containers: docker.Container[];
  /** Container names, which are also their DNS names on the network. */
  readonly containerNames: pulumi.Output<string[]>;

  constructor(name: string, args: AppFleetArgs, opts: pulumi.ComponentResourceOptions = {}) {
    checkArgs(name, args);
    super(AppFleet.type, name, {}, opts);
    const image = imageReference(this, name, 'app', args);
    this.containers = args.containers.map(
      (spec) => new docker.Container(spec.name, containerArgs(spec, image, args.network), { parent: this }),
    );
    this.containerNames = pulumi.all(this.containers.map((c) => c.name));
    this.registerOutputs({ containerNames: this.containerNames });
  }
}

function checkArgs(name: string, args: AppFleetArgs): void {
  checkImageSource(AppFleet.type, name, args);
  if (!args.containers || args.containers.length === 0) {
    throw new ComponentArgsError(AppFleet.type, name, 'containers must hold at least one app container');
  }
  args.containers.forEach((spec, i) => {
    if (spec.role !== 'app') throw new ComponentArgsError(AppFleet.type, name, `containers[${i}] (${spec.name}) has role ${spec.role}, not app`);
  });
  if (args.network === undefined) throw new ComponentArgsError(AppFleet.type, name, 'network is required');
}
