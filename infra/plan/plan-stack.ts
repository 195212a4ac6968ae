// Stack args -> StackPlan: every infrastructure decision, as a pure function (STYLE 11).
// No Pulumi here: the local runner, the docker target and the system tests share this plan.
import type { ListenerConfig } from '../../proxy/src/config/schema';
import { PlanError } from './plan-error';
import { buildProxyConfig } from './proxy-config';
import { resolveStackArgs, type ResolvedStackArgs } from './resolve-args';
import {
  ADMIN_PUBLISH_HOST,
  AWS_PUBLISH,
  PROXY_ACME_STORAGE,
  PROXY_CONFIG_PATH,
  PROXY_CONTAINER_ADMIN_PORT,
  PROXY_CONTAINER_HTTP_PORT,
  PROXY_CONTAINER_HTTPS_PORT,
  PROXY_TLS_PATHS,
  SECRET_ENV,
  type StackArgs,
} from './stack-args';
import type { AdminPlan, AppInstancePlan, ProxyPlan, ProxyTlsPlan, SecretEnvPlan, StackPlan } from './stack-plan';

/** Loopback only: a local stack is for the developer's machine. */
const LOCAL_HOST = '127.0.0.1';
/** Inside a container, bind every interface: the container's network is the boundary. */
const CONTAINER_BIND_HOST = '0.0.0.0';

/**
 * Throws PlanError naming every invalid field. `appAddresses`: apps that run elsewhere (`host:port`,
 * e.g. an AppFleet's), which the proxy then balances over instead of the planned ones.
 */
export function planStack(stackArgs: StackArgs, appAddresses?: readonly string[]): StackPlan {
  const args = resolveStackArgs(appAddresses ? { ...stackArgs, instances: Math.max(1, appAddresses.length), cores: undefined } : stackArgs);
  const planned = Array.from({ length: args.instances }, (_, index) => planApp(args, index));
  const apps = appAddresses ? planned.map((app, i) => atAddress(app, appAddresses[i])) : planned;
  const docker = args.target === 'docker';
  const proxy = planProxy(args, apps);
  return {
    stackName: args.stackName,
    target: args.target,
    apps,
    proxy,
    ...(docker && { network: `${args.stackName}-net`, edgeNetwork: `${args.stackName}-edge` }),
    ...(args.target === 'aws' && { appVms: args.appVms }),
    // An ACME stack's certificates come from the CA at run time: the stack makes none of its own.
    certificates: args.acme ? [] : [{ name: `${args.stackName}-tls`, hostnames: [...args.hostnames] }],
    dns: [],
    urls: args.hostnames.map((host) => urlOf('http', host, proxy.publish.http)),
    httpsUrls: proxy.tls === null ? [] : args.hostnames.map((host) => urlOf('https', host, proxy.publish.https)),
  };
}

function planApp(args: ResolvedStackArgs, index: number): AppInstancePlan {
  if (args.target === 'aws') return planVmApp(args, index);
  const id = `app-${index + 1}`;
  const name = `${args.stackName}-${id}`;
  const local = args.target === 'local';
  // Locally each instance needs its own port; in docker each has its own address, so one port fits all.
  const port = local ? args.appPort + index : args.appPort;
  const host = local ? LOCAL_HOST : name;
  return {
    index,
    id,
    name,
    host,
    port,
    healthPath: args.appHealthPath,
    address: `${host}:${port}`,
    env: {
      PORT: String(port),
      HOST: local ? LOCAL_HOST : CONTAINER_BIND_HOST,
      INSTANCE_ID: id,
      ...(!local && args.healthCheck && { SHUTDOWN_DELAY_MS: String(args.healthCheck.intervalMs + 1000) }),
    },
  };
}

/**
 * aws: instance `slot` of app VM `vm` listens on appPort + slot of its VM. The VM's private address
 * is known only once it exists: `host` is the VM's name until bindVmAddresses puts the address in.
 */
function planVmApp(args: ResolvedStackArgs, index: number): AppInstancePlan {
  const vm = Math.floor(index / args.instancesPerVm);
  const slot = index % args.instancesPerVm;
  const id = `app-${vm + 1}-${slot + 1}`;
  const host = appVmName(args.stackName, vm);
  const port = args.appPort + slot;
  return {
    index,
    id,
    name: `${args.stackName}-${id}`,
    host,
    port,
    healthPath: args.appHealthPath,
    address: `${host}:${port}`,
    vm,
    env: {
      PORT: String(port),
      HOST: CONTAINER_BIND_HOST,
      INSTANCE_ID: id,
      ...(args.healthCheck && { SHUTDOWN_DELAY_MS: String(args.healthCheck.intervalMs + 1000) }),
    },
  };
}

/** `${stackName}-vm-1`: the app VM's resource name, and its placeholder host in the plan. */
export function appVmName(stackName: string, vm: number): string {
  return `${stackName}-vm-${vm + 1}`;
}

/** The same instance (id, env), reached at another address. */
function atAddress(app: AppInstancePlan, address: string): AppInstancePlan {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new PlanError(app.name, [`appAddresses[${app.index}] must be host:port, got ${JSON.stringify(address)}`]);
  }
  return { ...app, host: address.slice(0, colon), port, address };
}

function planProxy(args: ResolvedStackArgs, apps: AppInstancePlan[]): ProxyPlan {
  const local = args.target === 'local';
  const host = local ? LOCAL_HOST : CONTAINER_BIND_HOST;
  const tls = proxyTls(args);
  const http: ListenerConfig = { name: 'http', host, port: local ? args.httpPort : PROXY_CONTAINER_HTTP_PORT, ...httpsRedirect(args) };
  const https: ListenerConfig | null = tls === null ? null : { name: 'https', host, port: local ? args.httpsPort : PROXY_CONTAINER_HTTPS_PORT, tls: listenerTls(tls) };
  const admin = planAdmin(args);
  return {
    name: `${args.stackName}-proxy`,
    configPath: PROXY_CONFIG_PATH,
    config: buildProxyConfig(args, apps, https === null ? [http] : [http, https], admin),
    listenPort: http.port,
    httpsListenPort: https?.port ?? null,
    tls,
    publish: args.target === 'aws'
      ? { ...AWS_PUBLISH }
      : { host: local ? LOCAL_HOST : args.publishHost, http: args.httpPort, https: args.httpsPort },
    admin,
    secretEnv: secretEnv(args, admin),
  };
}

/**
 * local: the given files, if any. docker: ACME when asked, else the stack's certificate, uploaded.
 * aws: none here; the aws target adds its own HTTPS listener (targets/aws/proxy-tls.ts, awsTls).
 */
function proxyTls(args: ResolvedStackArgs): ProxyTlsPlan | null {
  if (args.target === 'local') return args.tlsFiles && { source: 'files', ...args.tlsFiles };
  if (args.target === 'aws') return null;
  return args.acme ? { source: 'acme', storage: PROXY_ACME_STORAGE } : { source: 'upload', ...PROXY_TLS_PATHS };
}

/**
 * Only a stack with public names (ACME) redirects HTTP to HTTPS and sends HSTS: a stack on
 * localhost, trusted through its own CA, keeps HTTP working for clients that do not trust that CA,
 * and HSTS for localhost would hold for every port of it (RFC 6797 §8.3: it ignores the port),
 * forcing the developer's other local servers to HTTPS too.
 */
function httpsRedirect(args: ResolvedStackArgs): Pick<ListenerConfig, 'redirectToHttps'> {
  if (args.acme === null) return {};
  return { redirectToHttps: args.httpsPort === 443 ? true : args.httpsPort };
}

function listenerTls(tls: ProxyTlsPlan): NonNullable<ListenerConfig['tls']> {
  if (tls.source !== 'acme') return { certificates: [{ cert: tls.cert, key: tls.key }] };
  // Certificates for the top-level `acme` names, obtained by the proxy itself.
  return { acme: true, hsts: {} };
}

/**
 * Locally the admin listener is on loopback and needs no token (as the proxy's default). In a
 * container it must bind every interface to be published, so it always requires a token.
 */
function planAdmin(args: ResolvedStackArgs): AdminPlan {
  const local = args.target === 'local';
  const publish = { host: ADMIN_PUBLISH_HOST, port: args.adminPort };
  return {
    listenPort: local ? args.adminPort : PROXY_CONTAINER_ADMIN_PORT,
    publish,
    url: `http://${publish.host}:${publish.port}/`,
    ...(!local && { tokenEnv: SECRET_ENV.adminToken }),
  };
}

function secretEnv(args: ResolvedStackArgs, admin: AdminPlan): SecretEnvPlan[] {
  const secrets: SecretEnvPlan[] = [];
  if (args.sticky) {
    secrets.push({ env: SECRET_ENV.stickyKey, name: 'sticky-key', description: 'HMAC key of the sticky cookie' });
  }
  if (admin.tokenEnv) secrets.push({ env: admin.tokenEnv, name: 'admin-token', description: 'bearer token of the admin listener' });
  return secrets;
}

const DEFAULT_PORTS: Record<'http' | 'https', number> = { http: 80, https: 443 };

function urlOf(scheme: 'http' | 'https', hostname: string, port: number): string {
  return `${scheme}://${urlHost(hostname)}${port === DEFAULT_PORTS[scheme] ? '' : `:${port}`}/`;
}

/** A wildcard name has no URL of its own: show one name it covers (`*.localhost` -> `www.localhost`). */
function urlHost(hostname: string): string {
  return hostname.startsWith('*.') ? `www.${hostname.slice(2)}` : hostname;
}
