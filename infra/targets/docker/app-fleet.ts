// AppFleet: the user's app instances on one Docker engine, one container each on a given (internal)
// network, each counted as created only once its health check passes.
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { atMostOneOf, ComponentArgsError, type AppArgs, type AppFleetArgs } from '../../args';
import { dockerContainers, planStack, stackArgsOf, type ContainerSpec } from '../../plan';
import { containerArgs } from './container-args';
import { buildAppImage } from './images';
import { engineCores } from './sizing';

export class AppFleet extends pulumi.ComponentResource {
  static readonly type = 'portico:index:AppFleet';

  /** Container names, which are also their DNS names on the network. */
  readonly containerNames: pulumi.Output<string[]>;
  /** `name:port` of every instance on the network: what an EdgeProxy balances over. */
  readonly addresses: pulumi.Output<string[]>;
  /** The image the containers run (a built image's id, or the given reference). */
  readonly image: pulumi.Output<string>;

  constructor(name: string, args: AppFleetArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const specs = planFleet(name, args);
    super(AppFleet.type, name, {}, opts);
    const image = appImage(this, name, args.app);
    const containers = specs.map(
      (spec) =>
        new docker.Container(
          spec.name,
          containerArgs(spec, { image, networks: [args.networkName], env: args.app.env, secretEnv: args.app.secretEnv, waitHealthy: true }),
          // A fixed name and port cannot exist twice: the old container goes first.
          { parent: this, deleteBeforeReplace: true },
        ),
    );
    this.containerNames = pulumi.all(containers.map((c) => c.name));
    // From the created containers' names, so an address is reported only for a container that exists.
    this.addresses = pulumi.all(containers.map((c, i) => c.name.apply((n) => `${n}:${portOf(specs[i])}`)));
    this.image = pulumi.output(image);
    this.registerOutputs({ containerNames: this.containerNames, addresses: this.addresses, image: this.image });
  }
}

/** The app containers, from the same plan a WebStack makes; every arg is checked first. */
function planFleet(name: string, args: AppFleetArgs): ContainerSpec[] {
  checkApp(AppFleet.type, name, args.app);
  if (args.networkName === undefined) throw new ComponentArgsError(AppFleet.type, name, 'networkName is required');
  const stackArgs = stackArgsOf(args.stackName ?? name, 'docker', args, engineCores(AppFleet.type, name, args));
  return dockerContainers(planStack(stackArgs)).filter((c) => c.role === 'app');
}

/** Exactly one of image and build. */
export function checkApp(type: string, name: string, app: AppArgs | undefined): void {
  if (app === undefined) throw new ComponentArgsError(type, name, 'app is required (an image or a build)');
  atMostOneOf(type, name, app, ['image', 'build']);
  if (app.image === undefined && app.build === undefined) throw new ComponentArgsError(type, name, 'app needs an image or a build');
  if (app.build !== undefined && app.build.context === undefined) throw new ComponentArgsError(type, name, 'app.build.context is required');
}

/**
 * A built image is referenced by its id (repoDigest), not its tag, so that a rebuild replaces the
 * containers instead of leaving them on the old image.
 */
function appImage(parent: pulumi.Resource, name: string, app: AppArgs): pulumi.Input<string> {
  if (app.image !== undefined) return app.image;
  return buildAppImage(`${name}-image`, name, app.build!, { parent }).repoDigest;
}

function portOf(spec: ContainerSpec): string {
  return spec.env.PORT;
}
