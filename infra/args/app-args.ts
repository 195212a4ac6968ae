// The user's app, as the components take it: an image to run, or a Dockerfile to build, plus how
// the app listens, proves it is ready and is configured. Types only, in the shapes Pulumi's
// component analyzer accepts (`pulumi package add`): no unions besides `| undefined`, no functions.
// Maps are written Record<string, …>: the analyzer reads an interface with an index signature as an
// empty object type, not a map.
import type * as pulumi from '@pulumi/pulumi';

/** Build the app image from a Dockerfile on the target's engine (docker) or a builder (aws). */
export interface AppBuildArgs {
  /** The build context: a folder, relative to the Pulumi project (or absolute). */
  readonly context: pulumi.Input<string>;
  /** The Dockerfile, relative to `context`. Default: `Dockerfile`. */
  readonly dockerfile?: pulumi.Input<string>;
  /** Build args (`ARG`), e.g. `{ NODE_IMAGE: "node:22-slim" }`. */
  readonly args?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Network mode of the build's RUN steps (default, host or none). Default: the engine's. */
  readonly network?: pulumi.Input<string>;
}

/** The app every instance runs. Exactly one of `image` and `build`. */
export interface AppArgs {
  /** A prebuilt image reference (`registry/app:1.2.3`, or a digest); conflicts with `build`. */
  readonly image?: pulumi.Input<string>;
  /** Build the image from a Dockerfile; conflicts with `image`. */
  readonly build?: AppBuildArgs;
  /**
   * The port the app listens on, read from its `PORT` env var (the target also sets `HOST`,
   * `INSTANCE_ID` and `SHUTDOWN_DELAY_MS`). Default: 3000.
   */
  readonly port?: number;
  /**
   * A path answering 2xx once the instance is ready and 503 while it starts or drains: the
   * container's health check and the proxy's active check. Default: `/readyz`.
   */
  readonly healthPath?: string;
  /** Environment of every instance (plain values; names like `PORT` the target sets win). */
  readonly env?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Environment holding secrets: kept encrypted in the stack state as Pulumi secrets. */
  readonly secretEnv?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}
