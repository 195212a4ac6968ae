// The containers of a docker stack, as plain data. Two renderers read it and nothing else:
// the Pulumi docker target (docker.Container args) and dockerRunArgs (the system test's
// `docker run`), so what is tested by hand is what `pulumi up` deploys.
import type { AppInstancePlan, ProxyTlsPlan, SecretEnvPlan, StackPlan } from './stack-plan';

export type ContainerRole = 'proxy' | 'app';

export interface ContainerSpec {
  /** The container name, also its DNS name on the stack network. */
  name: string;
  /** Which image runs: the proxy's or the app's. */
  role: ContainerRole;
  env: Record<string, string>;
  /**
   * Env vars whose values are secrets the target makes (never in `env` or `files`, so they stay out
   * of plain state and config files): Pulumi RandomPasswords, or values given to dockerRunArgs.
   */
  secretEnv: SecretEnvPlan[];
  /** The networks it joins, in order: docker attaches the first at create, the rest before start. */
  networks: ContainerNetwork[];
  ports: PublishedPort[];
  healthcheck: Healthcheck;
  /** Files placed in the container before it starts (docker.Container `uploads`), owned by root:root. */
  files: ContainerFile[];
  /**
   * Supplementary groups of the container's user: the proxy (user node) joins group 0 to read its
   * key, which is uploaded root:root 0640, so no other user of the container can read it.
   */
  groups: string[];
  /** Named volumes: kept when the container is replaced (the proxy's ACME account and certificates). */
  volumes: ContainerVolume[];
  labels: Record<string, string>;
  restart: 'unless-stopped';
}

export interface ContainerNetwork {
  name: string;
  aliases: string[];
}

export interface ContainerVolume {
  /** The volume's name on the engine: `${stackName}-acme`. */
  name: string;
  /** Where it is mounted in the container. */
  path: string;
}

export interface PublishedPort {
  /** Which listener: the proxy's traffic (plain or TLS) or its admin port. */
  name: 'http' | 'https' | 'admin';
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp';
}

/** Durations in docker's own syntax ("10s"), which both the CLI and the provider accept. */
export interface Healthcheck {
  /** Run by the image's shell (CMD-SHELL): `docker run --health-cmd` can only express that form. */
  shellCommand: string;
  interval: string;
  timeout: string;
  retries: number;
  startPeriod: string;
}

export interface ContainerFile {
  /** Absolute path inside the container. */
  path: string;
  /** The file's content; '' for a file whose content the target supplies (`from`). */
  content: string;
  /** Permission bits, e.g. 0o644; keys 0o640 (never world-readable). */
  mode: number;
  /** The stack's certificate or its key: content known to the target only (a Pulumi output, a test's file). */
  from?: 'certificate' | 'certificateKey';
}

/** Each role's Dockerfile, relative to the repo root (the build context of both images). */
export const DOCKERFILES: Record<ContainerRole, string> = { proxy: 'proxy/Dockerfile', app: 'app-sample/Dockerfile' };

/** Label keys, reverse-DNS as Docker recommends, so `docker ps --filter label=…` finds a stack. */
export const LABELS = { stack: 'dev.portico.stack', role: 'dev.portico.role', instance: 'dev.portico.instance' } as const;

const HEALTH_TIMING = { interval: '10s', timeout: '3s', retries: 3, startPeriod: '10s' } as const;

/** Apps first, the proxy last: the order in which they should start. */
export function dockerContainers(plan: StackPlan): ContainerSpec[] {
  if (plan.target !== 'docker' || plan.network === undefined || plan.edgeNetwork === undefined) {
    throw new Error(`dockerContainers: stack "${plan.stackName}" is planned for target ${plan.target}, not docker`);
  }
  const { network, edgeNetwork } = plan;
  return [...plan.apps.map((app) => appContainer(plan, network, app)), proxyContainer(plan, network, edgeNetwork)];
}

function appContainer(plan: StackPlan, network: string, app: AppInstancePlan): ContainerSpec {
  return {
    name: app.name,
    role: 'app',
    env: { ...app.env },
    secretEnv: [],
    networks: [{ name: network, aliases: [app.name] }],
    ports: [],
    healthcheck: { shellCommand: httpProbe(app.port, app.healthPath), ...HEALTH_TIMING },
    files: [],
    groups: [],
    volumes: [],
    labels: { [LABELS.stack]: plan.stackName, [LABELS.role]: 'app', [LABELS.instance]: app.id },
    restart: 'unless-stopped',
  };
}

/**
 * The proxy is published on its edge network (first: docker publishes ports through it) and joins
 * the apps' internal network, which has no published port and no route out.
 */
function proxyContainer(plan: StackPlan, network: string, edgeNetwork: string): ContainerSpec {
  const { proxy } = plan;
  const { admin } = proxy;
  return {
    name: proxy.name,
    role: 'proxy',
    env: { PORTICO_CONFIG: proxy.configPath },
    secretEnv: proxy.secretEnv.map((s) => ({ ...s })),
    networks: [
      { name: edgeNetwork, aliases: [proxy.name] },
      { name: network, aliases: [proxy.name] },
    ],
    // The admin port goes to loopback only, whatever publishHost says: it changes the fleet.
    ports: [
      { name: 'http', hostIp: proxy.publish.host, hostPort: proxy.publish.http, containerPort: proxy.listenPort, protocol: 'tcp' },
      ...(proxy.httpsListenPort === null
        ? []
        : [{ name: 'https' as const, hostIp: proxy.publish.host, hostPort: proxy.publish.https, containerPort: proxy.httpsListenPort, protocol: 'tcp' as const }]),
      { name: 'admin', hostIp: admin.publish.host, hostPort: admin.publish.port, containerPort: admin.listenPort, protocol: 'tcp' },
    ],
    healthcheck: { shellCommand: tcpProbe(proxy.listenPort), ...HEALTH_TIMING },
    files: [{ path: proxy.configPath, content: JSON.stringify(proxy.config, null, 2), mode: 0o644 }, ...tlsFiles(proxy.tls)],
    groups: proxy.tls?.source === 'upload' ? [KEY_GROUP] : [],
    volumes: proxy.tls?.source === 'acme' ? [{ name: `${plan.stackName}-acme`, path: proxy.tls.storage }] : [],
    labels: { [LABELS.stack]: plan.stackName, [LABELS.role]: 'proxy' },
    restart: 'unless-stopped',
  };
}

/** Group 0 (root): the group of every uploaded file. */
const KEY_GROUP = '0';

/** The stack's certificate (public) and its key (group-readable for the proxy, never world-readable). */
function tlsFiles(tls: ProxyTlsPlan | null): ContainerFile[] {
  if (tls?.source !== 'upload') return [];
  return [
    { path: tls.cert, content: '', mode: 0o644, from: 'certificate' },
    { path: tls.key, content: '', mode: 0o640, from: 'certificateKey' },
  ];
}

// Probes run with the image's own node: Node images carry neither curl nor wget. Apps are probed
// on their readiness path (/readyz by default): "healthy" means ready to take traffic.
function httpProbe(port: number, path: string): string {
  return `node -e "fetch('http://127.0.0.1:${port}${percentEncodeShellChars(path)}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"`;
}

/** The proxy has no status endpoint yet: a listening socket is what "healthy" can mean today. */
function tcpProbe(port: number): string {
  return `node -e "require('net').connect(${port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))"`;
}

/** Quotes, `$`, backquote and backslash percent-encoded: the path sits inside shell and JS quotes. */
function percentEncodeShellChars(path: string): string {
  return path.replace(/['"\\$`]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
