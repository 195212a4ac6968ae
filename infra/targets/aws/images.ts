// The proxy and app images in ECR: one private repository each, built with BuildKit
// (@pulumi/docker-build) for the VMs' platform and pushed with a token from
// aws.ecr.getAuthorizationToken. VMs run them by digest, so a new build is a new user data.
import * as aws from '@pulumi/aws';
import * as dockerBuild from '@pulumi/docker-build';
import * as pulumi from '@pulumi/pulumi';
import path from 'node:path';
import { DOCKERFILES, type ContainerRole } from '../../plan';
import { dockerPlatform, type Architecture } from './machine-types';
import type { AwsImageOptions } from './options';

/** The Dockerfiles' own `ARG NODE_IMAGE` default. */
export const DEFAULT_BASE_IMAGE = 'node:24-slim';
/** The repo root, the build context of both images. */
const REPO_ROOT = path.resolve(__dirname, '../../..');
/** Older images are expired; a VM still running one keeps its local copy. */
const KEEP_IMAGES = 10;

export interface AwsImage {
  /** `<repo>@sha256:…` (or the prebuilt reference as given). */
  ref: pulumi.Output<string>;
  /** The ECR repository's ARN, for the instance role's read permission; absent for a prebuilt image. */
  repositoryArn?: pulumi.Output<string>;
}

export function awsImage(
  name: string,
  role: ContainerRole,
  arch: pulumi.Input<Architecture>,
  options: AwsImageOptions,
  parent: pulumi.Resource,
): AwsImage {
  const prebuilt = role === 'app' ? options.appImage : options.proxyImage;
  if (prebuilt !== undefined) return { ref: pulumi.output(prebuilt) };
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
      context: { location: options.context ?? relativeToCwd(REPO_ROOT) },
      dockerfile: { location: path.join(options.context ?? relativeToCwd(REPO_ROOT), DOCKERFILES[role]) },
      buildArgs: { NODE_IMAGE: options.baseImage ?? DEFAULT_BASE_IMAGE },
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
