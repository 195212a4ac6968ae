// A plan ContainerSpec as docker.Container args: the Pulumi twin of dockerRunArgs. Field by field
// the same spec, so `pulumi up` and the system test's `docker run` start the same container.
import type * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import type { ContainerFile, ContainerSpec } from '../../plan';

export interface ContainerInputs {
  /** The image to run (an image id, so a rebuilt image replaces the container). */
  image: pulumi.Input<string>;
  /** The Pulumi name of each of the spec's networks, in the spec's order (so the container depends on them). */
  networks: pulumi.Input<string>[];
  /** The value of each of the spec's `secretEnv` variables (secret outputs). */
  secrets?: Record<string, pulumi.Input<string>>;
  /** The user's environment; the spec's own variables (PORT, HOST, …) win over it. */
  env?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** The user's secret environment: kept a secret in the state. */
  secretEnv?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** `pulumi up` waits until the container's health check passes before it counts as created. */
  waitHealthy?: boolean;
  /**
   * Overrides the spec's files' contents, path by path (content known only once outputs resolve);
   * required for the files the plan leaves to the target (`from`: the certificate and its key).
   */
  fileContents?: Record<string, pulumi.Input<string>>;
  /** The Pulumi name of each of the spec's volumes, in the spec's order (so the container depends on them). */
  volumes?: pulumi.Input<string>[];
}

/** How long `waitHealthy` waits: the health check's start period and a few failed intervals. */
const WAIT_TIMEOUT_SECONDS = 90;

export function containerArgs(spec: ContainerSpec, inputs: ContainerInputs): docker.ContainerArgs {
  const h = spec.healthcheck;
  const secretEnvs = spec.secretEnv.map(({ env }) => {
    const value = inputs.secrets?.[env];
    if (value === undefined) throw new Error(`containerArgs: container ${spec.name} needs secret ${env}`);
    // Marked secret whatever the caller passed: the env list then stays encrypted in the state.
    return pulumi.secret(pulumi.interpolate`${env}=${value}`);
  });
  if (inputs.networks.length !== spec.networks.length) {
    throw new Error(`containerArgs: container ${spec.name} joins ${spec.networks.length} networks, got ${inputs.networks.length} names`);
  }
  return {
    name: spec.name,
    image: inputs.image,
    // Secret as a whole once any value is: an env list cannot be half encrypted in the state.
    envs: pulumi
      .all([userEnv(spec, inputs.env), secretUserEnv(spec, inputs.secretEnv), pulumi.all(secretEnvs)])
      .apply(([plain, secret, own]) => [...plain, ...secret, ...Object.entries(spec.env).map(([key, value]) => `${key}=${value}`), ...own]),
    networksAdvanced: spec.networks.map((n, i) => ({ name: inputs.networks[i], aliases: n.aliases })),
    ports: spec.ports.map((p) => ({ ip: p.hostIp, external: p.hostPort, internal: p.containerPort, protocol: p.protocol })),
    healthcheck: {
      tests: ['CMD-SHELL', h.shellCommand],
      interval: h.interval,
      timeout: h.timeout,
      retries: h.retries,
      startPeriod: h.startPeriod,
    },
    ...(inputs.waitHealthy && { wait: true, waitTimeout: WAIT_TIMEOUT_SECONDS }),
    // Uploaded (root:root, with the spec's mode) before the container starts; a changed file
    // replaces the container (infra/README.md).
    uploads: spec.files.map((f) => ({ file: f.path, content: fileContent(spec, f, inputs.fileContents), permissions: octal(f.mode) })),
    ...(spec.groups.length > 0 && { groupAdds: [...spec.groups] }),
    ...(spec.volumes.length > 0 && { volumes: spec.volumes.map((v, i) => ({ volumeName: volumeName(spec, i, inputs.volumes), containerPath: v.path })) }),
    labels: Object.entries(spec.labels).map(([label, value]) => ({ label, value })),
    restart: spec.restart,
  };
}

function fileContent(spec: ContainerSpec, file: ContainerFile, contents: ContainerInputs['fileContents']): pulumi.Input<string> {
  const given = contents?.[file.path];
  if (given !== undefined) return file.from === 'certificateKey' ? pulumi.secret(given) : given;
  if (file.from !== undefined) throw new Error(`containerArgs: container ${spec.name} needs the ${file.from} for ${file.path}`);
  return file.content;
}

function volumeName(spec: ContainerSpec, index: number, names: pulumi.Input<string>[] | undefined): pulumi.Input<string> {
  const name = names?.[index];
  if (name === undefined) throw new Error(`containerArgs: container ${spec.name} needs volume ${spec.volumes[index].name}`);
  return name;
}

/** The provider's permission string: 0o640 -> "0640". */
function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

function secretUserEnv(spec: ContainerSpec, env: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined): pulumi.Output<string[]> {
  return env === undefined ? pulumi.output([]) : pulumi.secret(userEnv(spec, env));
}

/** `KEY=value` for each user variable the spec does not set itself. */
function userEnv(spec: ContainerSpec, env: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined): pulumi.Output<string[]> {
  if (env === undefined) return pulumi.output([]);
  return pulumi.output(env).apply((vars) =>
    Object.entries(vars ?? {})
      .filter(([key]) => !(key in spec.env) && !spec.secretEnv.some((s) => s.env === key))
      .map(([key, value]) => `${key}=${value}`),
  );
}
