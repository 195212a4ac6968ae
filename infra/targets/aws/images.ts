// The proxy and app images in ECR: one private repository each, built with BuildKit
// (@pulumi/docker-build) for the VMs' platform and pushed with a token from
// aws.ecr.getAuthorizationToken. VMs run them by digest, so a new build is a new user data.
import * as aws from '@pulumi/aws';
import * as dockerBuild from '@pulumi/docker-build';
import * as pulumi from '@pulumi/pulumi';
import path from 'node:path';
import type { AppBuildArgs } from '../../args';
import { DOCKERFILES, PACKAGE_ROOT } from '../../plan';
import { dockerPlatform, type Architecture } from './machine-types';

/** The Dockerfiles' own `ARG NODE_IMAGE` default. */
export const DEFAULT_BASE_IMAGE = 'node:24-slim';
/** Older images are expired; a VM still running one keeps its local copy. */
const KEEP_IMAGES = 10;

export interface AwsImage {
  /** `<repo>@sha256:…` (or the prebuilt reference as given). */
  ref: pulumi.Output<string>;
  /** The ECR repository's ARN, for the instance role's read permission; absent for a prebuilt image. */
  repositoryArn?: pulumi.Output<string>;
}

/** A prebuilt image, or a build; the build's context is relative to the Pulumi project. */
export interface ImageSource {
  image?: pulumi.Input<string>;
  build?: AppBuildArgs;
}

/** This repo's own Dockerfile of a role, built FROM `baseImage` (the proxy; app-sample by default). */
export function repoBuild(role: 'app' | 'proxy', baseImage: pulumi.Input<string> | undefined): AppBuildArgs {
  return { context: relativeToCwd(PACKAGE_ROOT), dockerfile: DOCKERFILES[role], args: { NODE_IMAGE: baseImage ?? DEFAULT_BASE_IMAGE } };
}

export function awsImage(name: string, arch: pulumi.Input<Architecture>, source: ImageSource, parent: pulumi.Resource): AwsImage {
  if (source.image !== undefined) return { ref: pulumi.output(source.image) };
  if (source.build === undefined) throw new Error(`${name}: give an image or a build`);
  const build = source.build;
  const opts = { parent };
  const repository = new aws.ecr.Repository(
    name,
    {
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfigurations: [{ encryptionType: 'AES256' }],
      // `pulumi destroy` removes the images with the repository.
      forceDelete: true,
    },
    opts,
  );
  new aws.ecr.LifecyclePolicy(
    name,
    {
      repository: repository.name,
      policy: JSON.stringify({
        rules: [{ rulePriority: 1, description: `keep the last ${KEEP_IMAGES}`, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: KEEP_IMAGES }, action: { type: 'expire' } }],
      }),
    },
    opts,
  );
  const token = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, { parent });
  const image = new dockerBuild.Image(
    name,
    {
      push: true,
      tags: [pulumi.interpolate`${repository.repositoryUrl}:latest`],
      context: { location: build.context },
      dockerfile: { location: pulumi.all([build.context, build.dockerfile ?? 'Dockerfile']).apply(([c, f]) => path.join(c, f)) },
      ...(build.args !== undefined && { buildArgs: build.args }),
      ...(build.network !== undefined && { network: build.network as dockerBuild.NetworkMode }),
      platforms: [pulumi.output(arch).apply(dockerPlatform)],
      registries: [{ address: repository.repositoryUrl, username: token.userName, password: pulumi.secret(token.password) }],
      // A preview needs no Docker engine; the digest is known after `up`.
      buildOnPreview: false,
    },
    opts,
  );
  return { ref: image.ref, repositoryArn: repository.arn };
}

/** A relative context keeps the state free of one machine's checkout path. */
function relativeToCwd(dir: string): string {
  return path.relative(process.cwd(), dir) || '.';
}
