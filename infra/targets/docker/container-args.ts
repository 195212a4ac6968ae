// A plan ContainerSpec as docker.Container args: the Pulumi twin of dockerRunArgs. Field by field
// the same spec, so `pulumi up` and the system test's `docker run` start the same container.
import type * as docker from '@pulumi/docker';
import type * as pulumi from '@pulumi/pulumi';
import type { ContainerSpec } from '../../plan';

/**
 * `image` is the image to run (an image id, so a rebuilt image replaces the container);
 * `network` is the network's name as an output, so the container depends on the network.
 */
export function containerArgs(spec: ContainerSpec, image: pulumi.Input<string>, network: pulumi.Input<string>): docker.ContainerArgs {
  const h = spec.healthcheck;
  return {
    name: spec.name,
    image,
    envs: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
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
