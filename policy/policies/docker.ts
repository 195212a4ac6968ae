// Containers of the Docker target: the admin listener is published on loopback only (it changes
// the fleet), no container runs privileged or in the host's network.
import type { ResourceValidationPolicy } from '@pulumi/policy';
import { known } from './known';
import { adminPortsOf, adminPortsSchema, type AdminPortSettings } from './settings';

export const CONTAINER = 'docker:index/container:Container';

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|\[::1\])$/;

export const dockerAdminOnLoopback: ResourceValidationPolicy = {
  name: 'portico-docker-admin-on-loopback',
  description: "A container publishes the admin port (9901, the configured ones, and the one its uploaded Portico config listens on) on 127.0.0.1 only; Docker's default is every address.",
  enforcementLevel: 'mandatory',
  configSchema: adminPortsSchema,
  validateResource: (args, reportViolation) => {
    if (args.type !== CONTAINER) return;
    const inConfig = adminPortInProxyConfig(known(() => args.props.uploads));
    const adminPorts = [...adminPortsOf(args.getConfig<AdminPortSettings>()), ...(inConfig === undefined ? [] : [inConfig])];
    const ports: unknown[] = Array.isArray(args.props.ports) ? args.props.ports : [];
    ports.forEach((entry, i) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const port = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, any>;
      // Published on the host port, or the container's admin port published under another number.
      const admin = adminPorts.find((p) => p === port.external || p === port.internal);
      if (admin === undefined) return;
      if (typeof port.ip !== 'string' || !LOOPBACK.test(port.ip)) {
        const ip = port.ip === undefined ? 'every address (no ip)' : JSON.stringify(port.ip);
        reportViolation(`ports[${i}]: the admin port ${admin} is published on ${ip}; publish it on 127.0.0.1 only`);
      }
    });
  },
};

export const dockerUnprivileged: ResourceValidationPolicy = {
  name: 'portico-docker-unprivileged',
  description: 'No container runs privileged.',
  enforcementLevel: 'mandatory',
  validateResource: (args, reportViolation) => {
    if (args.type === CONTAINER && args.props.privileged === true) {
      reportViolation('privileged is true: the container would have every capability and the host devices');
    }
  },
};

export const dockerNoHostNetwork: ResourceValidationPolicy = {
  name: 'portico-docker-no-host-network',
  description: "No container runs in the host's network (networkMode \"host\"): it would bypass the internal network that keeps the apps behind the proxy.",
  enforcementLevel: 'mandatory',
  validateResource: (args, reportViolation) => {
    if (args.type === CONTAINER && args.props.networkMode === 'host') {
      reportViolation('networkMode is "host": the container would listen on the host\'s addresses, past the internal network and the published ports; join the stack\'s networks instead');
    }
  },
};

/**
 * The port of `admin.listen` in a Portico config file uploaded into the container (the Docker
 * target uploads the proxy's config as JSON), so a stack's own admin port needs no policy config.
 */
function adminPortInProxyConfig(uploads: unknown): number | undefined {
  if (!Array.isArray(uploads)) return undefined;
  for (const upload of uploads) {
    const content = known(() => (typeof upload === 'object' && upload !== null ? (upload as { content?: unknown }).content : undefined));
    if (typeof content !== 'string' || !content.trimStart().startsWith('{')) continue;
    let config: { admin?: { listen?: unknown } } | null;
    try {
      config = JSON.parse(content);
    } catch {
      continue; // not JSON: not a config this policy can read
    }
    const listen = config && typeof config === 'object' && config.admin ? config.admin.listen : undefined;
    const port = typeof listen === 'string' ? /:(\d{1,5})$/.exec(listen) : null;
    if (port) return Number(port[1]);
  }
  return undefined;
}
