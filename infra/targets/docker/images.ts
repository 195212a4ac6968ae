// The two images of a docker stack, built from the repo's own Dockerfiles on the Docker engine.
import * as docker from '@pulumi/docker';
import type * as pulumi from '@pulumi/pulumi';
import path from 'node:path';
import { DOCKERFILES, type ContainerRole } from '../../plan';

/** The Dockerfiles' own `ARG NODE_IMAGE` default; an offline engine uses `local/node-base:22`. */
export const DEFAULT_BASE_IMAGE = 'node:24-slim';

/** The repo root, as Docker's build context. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');

export interface ImageBuildArgs {
  /** The build context; default: the repo root. */
  context?: pulumi.Input<string>;
  /** NODE_IMAGE build arg: the base image. Default node:24-slim. */
  baseImage?: pulumi.Input<string>;
  /** Network mode of RUN steps: "host" lets `npm ci` reach a registry from an engine without a bridge route. */
  network?: pulumi.Input<string>;
}

/** A local image (never pushed) tagged `${tag}:latest`. */
export function buildImage(
  name: string,
  role: ContainerRole,
  tag: string,
  args: ImageBuildArgs,
  opts: pulumi.CustomResourceOptions,
): docker.Image {
  return new docker.Image(
    name,
    {
      imageName: `${tag}:latest`,
      build: {
        context: args.context ?? relativeToCwd(REPO_ROOT),
        dockerfile: DOCKERFILES[role],
        args: { NODE_IMAGE: args.baseImage ?? DEFAULT_BASE_IMAGE },
        ...(args.network !== undefined && { network: args.network }),
      },
      skipPush: true,
    },
    opts,
  );
}

/**
 * `pulumi up` runs in the project folder (the repo root): a relative context keeps the state free
 * of one machine's checkout path, so another checkout shows no diff.
 */
function relativeToCwd(dir: string): string {
  return path.relative(process.cwd(), dir) || '.';
}
