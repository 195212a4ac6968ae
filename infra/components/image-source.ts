// Where a component's containers get their image: a prebuilt `image`, or a `build` from the repo's
// Dockerfile (the default). Shared by EdgeProxy and AppFleet so both accept the same args.
import type * as pulumi from '@pulumi/pulumi';
import type { ContainerRole } from '../plan';
import { buildImage, type ImageBuildArgs } from '../targets/docker/images';
import { atMostOneOf } from './args-error';

export interface ImageSourceArgs {
  /** An image already on the engine (name or id); conflicts with `build`. */
  readonly image?: pulumi.Input<string>;
  /** Build options for the role's Dockerfile; the default when `image` is absent. */
  readonly build?: ImageBuildArgs;
}

export const IMAGE_SOURCE_FIELDS = ['image', 'build'] as const;

export function checkImageSource(type: string, name: string, args: ImageSourceArgs): void {
  atMostOneOf(type, name, args, IMAGE_SOURCE_FIELDS);
}

/**
 * The image reference containers run. A built image is referenced by its id (repoDigest), not
 * its tag, so that a rebuild replaces the containers instead of leaving them on the old image.
 */
export function imageReference(parent: pulumi.Resource, name: string, role: ContainerRole, args: ImageSourceArgs): pulumi.Input<string> {
  if (args.image !== undefined) return args.image;
  return buildImage(`${name}-image`, role, name, args.build ?? {}, { parent }).repoDigest;
}
