// A plan ContainerSpec as docker.Container args: the Pulumi twin of dockerRunArgs. Field by field
// the same spec, so `pulumi up` and the system test's `docker run` start the same container.
import type * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import type { ContainerSpec } from '../../plan';

/**
 * `image` is the image to run (an image id, so a rebuilt image replaces the container);
 * `network` is the network's name as an output, so the container depends on the network;
 * `secrets` holds the value of each of the spec's `secretEnv` variables (secret outputs).
 */
export function containerArgs(
  spec: ContainerSpec,
  image: pulumi.Input<string>,
  network: pulumi.Input<string>,
  secrets: Record<string, pulumi.Input<string>> = {},
): docker.ContainerArgs {
  const h = spec.healthcheck;
  const secretEnvs = spec.secretEnv.map(({ env }) => {
    const value = secrets[env];
    if (value === undefined) throw new Error(`containerArgs: container ${spec.name} needs secret ${env}`);
    // Marked secret whatever the caller passed: the env list then stays encrypted in the state.
    return pulumi.secret(pulumi.interpolate`${env}=${value}`);
  });
  return {
    name: spec.name,
    image,
    envs: [...Object.entries(spec.env).map(([key, value]) => `${key}=${value}`), ...secretEnvs],
    networksAdvanced: [{ name: network, aliases: spec.network.aliases }],
    ports: spec.ports.map((p) => ({ ip: p.hostIp, external: p.hostPort, internal: p.containerPort, protocol: p.protocol })),
    healthcheck: {
      tests: ['CMD-SHELL', h.shellCommand],
      interval: h.interval,
      timeout: h.timeout,
      retries: h.retries,
      startPeriod: h.startPeriod,
    },
    // Uploaded before the container starts; a changed file replaces the container (a new config).
    uploads: spec.files.map((f) => ({ file: f.path, content: f.content })),
    labels: Object.entries(spec.labels).map(([label, value]) => ({ label, value })),
    restart: spec.restart,
  };
}
