// The images of a docker stack, built on the Docker engine (never pushed): the proxy from this
// package's own proxy/Dockerfile, the app from the user's build context and Dockerfile.
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import path from 'node:path';
import type { AppBuildArgs, ProxyImageArgs } from '../../args';
import { DOCKERFILES, PACKAGE_ROOT } from '../../plan';

/** The Dockerfiles' `ARG NODE_IMAGE` base: a current LTS, on any machine with registry access. */
export const DEFAULT_BASE_IMAGE = 'node:22-slim';

/** This package's root, the proxy image's build context. */
export { PACKAGE_ROOT };

/** The proxy image `${tag}:latest`, from proxy/Dockerfile with this package as context. */
export function buildProxyImage(name: string, tag: string, args: ProxyImageArgs, opts: pulumi.CustomResourceOptions): docker.Image {
  return new docker.Image(
    name,
    {
      imageName: `${tag}:latest`,
      build: {
        context: relativeToCwd(PACKAGE_ROOT),
        dockerfile: path.join(relativeToCwd(PACKAGE_ROOT), DOCKERFILES.proxy),
        args: { NODE_IMAGE: args.baseImage ?? DEFAULT_BASE_IMAGE },
        ...(args.buildNetwork !== undefined && { network: args.buildNetwork }),
      },
      skipPush: true,
    },
    opts,
  );
}

/** The user's app image `${tag}:latest`, from their context and Dockerfile. */
export function buildAppImage(name: string, tag: string, args: AppBuildArgs, opts: pulumi.CustomResourceOptions): docker.Image {
  return new docker.Image(
    name,
    {
      imageName: `${tag}:latest`,
      build: {
        context: args.context,
        // The provider reads a relative dockerfile from the working directory, not the context.
        dockerfile: dockerfileIn(args.context, args.dockerfile ?? 'Dockerfile'),
        ...(args.args !== undefined && { args: args.args }),
        ...(args.network !== undefined && { network: args.network }),
      },
      skipPush: true,
    },
    opts,
  );
}

function dockerfileIn(context: pulumi.Input<string>, dockerfile: pulumi.Input<string>): pulumi.Input<string> {
  if (typeof context === 'string' && typeof dockerfile === 'string') return path.isAbsolute(dockerfile) ? dockerfile : path.join(context, dockerfile);
  return pulumi.all([context, dockerfile]).apply(([c, f]) => (path.isAbsolute(f) ? f : path.join(c, f)));
}

/**
 * `pulumi up` runs in the project folder: a relative context keeps the state free of one machine's
 * checkout path, so another checkout shows no diff.
 */
function relativeToCwd(dir: string): string {
  return path.relative(process.cwd(), dir) || '.';
}
