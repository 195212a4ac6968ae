// EdgeProxy: the Portico proxy container, the stack's front door, published on its own edge network
// and joined to the apps' internal network, with its config file uploaded.
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { ComponentArgsError, type EdgeProxyArgs, type ProxyImageArgs } from '../../args';
import { dockerContainers, LABELS, planStack, stackArgsOf, type ContainerSpec, type StackArgs } from '../../plan';
import { containerArgs } from './container-args';
import { buildProxyImage } from './images';
import { edgeNetwork } from './network';

export class EdgeProxy extends pulumi.ComponentResource {
  static readonly type = 'portico:index:EdgeProxy';

  /** Where the proxy is published on the Docker host, e.g. http://127.0.0.1:8080/. */
  readonly url: pulumi.Output<string>;
  /** The same over HTTPS (h2 and HTTP/1.1), e.g. https://127.0.0.1:8443/. */
  readonly httpsUrl: pulumi.Output<string>;
  /** The ProxyConfig file the container runs with, as uploaded. */
  readonly configJson: pulumi.Output<string>;
  /** The admin dashboard on the Docker host's loopback, with `#token=…`: a secret. */
  readonly dashboardUrl: pulumi.Output<string>;
  /** The admin listener's bearer token (a secret). */
  readonly adminToken: pulumi.Output<string>;
  /** The network the proxy is published through (only the proxy joins it). */
  readonly edgeNetworkName: pulumi.Output<string>;
  /** The proxy container's name. */
  readonly containerName: pulumi.Output<string>;

  constructor(name: string, args: EdgeProxyArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const { stackArgs, spec } = planProxy(name, args);
    super(EdgeProxy.type, name, {}, opts);
    const image = proxyImage(this, name, args.proxy ?? {});
    const secrets = generatedSecrets(this, name, spec);
    const edge = edgeNetwork(`${name}-edge`, spec.networks[0].name, spec.labels[LABELS.stack], { parent: this });
    // The config lists the apps' addresses: an output of their containers, so the proxy container
    // is created after them (and, as AppFleet waits for health, after they are ready).
    const config = pulumi.output(args.appAddresses).apply((addresses) => configFor(name, stackArgs, addresses));
    const configPath = spec.env.PORTICO_CONFIG;
    const fileContents = { [configPath]: config, ...tlsFileContents(spec, args) };
    const volumes = namedVolumes(this, name, spec);
    const container = new docker.Container(
      spec.name,
      containerArgs(spec, { image, networks: [edge.name, args.networkName], secrets, fileContents, volumes }),
      { parent: this, deleteBeforeReplace: true },
    );
    // Tied to the container, so a URL is only reported once the container exists.
    this.url = container.id.apply(() => portUrl(spec, 'http'));
    this.httpsUrl = container.id.apply(() => portUrl(spec, 'https'));
    this.configJson = pulumi.all([container.id, config]).apply(([, c]) => c);
    this.containerName = container.name;
    this.edgeNetworkName = edge.name;
    this.adminToken = secrets[tokenEnv(spec)];
    this.dashboardUrl = pulumi.secret(
      pulumi.all([container.id, this.adminToken]).apply(([, token]) => `${portUrl(spec, 'admin')}#token=${encodeURIComponent(token)}`),
    );
    this.registerOutputs({
      url: this.url,
      httpsUrl: this.httpsUrl,
      configJson: this.configJson,
      dashboardUrl: this.dashboardUrl,
      adminToken: this.adminToken,
      edgeNetworkName: this.edgeNetworkName,
      containerName: this.containerName,
    });
  }
}

/** The secret name (SecretEnvPlan.name) of the admin token, which a docker proxy always has. */
const ADMIN_TOKEN = 'admin-token';
/** 32 letters and digits: ~190 bits, safe in a URL fragment and a header without escaping. */
const SECRET_LENGTH = 32;

/** Every arg checked, the container planned (its config file is replaced once the addresses resolve). */
function planProxy(name: string, args: EdgeProxyArgs): { stackArgs: StackArgs; spec: ContainerSpec } {
  if (args.appAddresses === undefined) throw new ComponentArgsError(EdgeProxy.type, name, 'appAddresses is required');
  if (Array.isArray(args.appAddresses) && args.appAddresses.length === 0) {
    throw new ComponentArgsError(EdgeProxy.type, name, 'appAddresses must hold at least one host:port');
  }
  if (args.networkName === undefined) throw new ComponentArgsError(EdgeProxy.type, name, 'networkName is required');
  const image = args.proxy ?? {};
  if (image.image !== undefined && (image.baseImage !== undefined || image.buildNetwork !== undefined)) {
    throw new ComponentArgsError(EdgeProxy.type, name, 'proxy.image conflicts with proxy.baseImage and proxy.buildNetwork (they build the image)');
  }
  const stackArgs = stackArgsOf(args.stackName ?? name, 'docker', { ...args, instances: 1 });
  const spec = dockerContainers(planStack(stackArgs)).find((c) => c.role === 'proxy')!;
  const needsCertificate = spec.files.some((f) => f.from !== undefined);
  if (needsCertificate && (args.tlsCertPem === undefined || args.tlsKeyPem === undefined)) {
    throw new ComponentArgsError(EdgeProxy.type, name, "tlsCertPem and tlsKeyPem are required (a Certificate's certPem and privateKeyPem), unless acme");
  }
  if (!needsCertificate && (args.tlsCertPem !== undefined || args.tlsKeyPem !== undefined)) {
    throw new ComponentArgsError(EdgeProxy.type, name, 'acme conflicts with tlsCertPem and tlsKeyPem: give one source of certificates');
  }
  return { stackArgs, spec };
}

/** `${name}-acme` for the volume `${stackName}-acme`: kept across container replacements, gone with the stack. */
function namedVolumes(parent: pulumi.Resource, name: string, spec: ContainerSpec): pulumi.Output<string>[] {
  const stack = spec.labels[LABELS.stack];
  return spec.volumes.map(
    (v) => new docker.Volume(`${name}${v.name.slice(stack.length)}`, { name: v.name, labels: [{ label: LABELS.stack, value: stack }] }, { parent }).name,
  );
}

/** The stack's certificate and key, at the paths the plan gave them. */
function tlsFileContents(spec: ContainerSpec, args: EdgeProxyArgs): Record<string, pulumi.Input<string>> {
  const given = { certificate: args.tlsCertPem, certificateKey: args.tlsKeyPem };
  return Object.fromEntries(spec.files.filter((f) => f.from !== undefined).map((f) => [f.path, given[f.from!]!]));
}

function configFor(name: string, stackArgs: StackArgs, addresses: string[]): string {
  if (addresses.length === 0) throw new ComponentArgsError(EdgeProxy.type, name, 'appAddresses must hold at least one host:port');
  const spec = dockerContainers(planStack(stackArgs, addresses)).find((c) => c.role === 'proxy')!;
  return spec.files.find((f) => f.path === spec.env.PORTICO_CONFIG)!.content;
}

function proxyImage(parent: pulumi.Resource, name: string, args: ProxyImageArgs): pulumi.Input<string> {
  if (args.image !== undefined) return args.image;
  return buildProxyImage(`${name}-image`, name, args, { parent }).repoDigest;
}

/**
 * One RandomPassword per secret the container reads from its env (`${name}-sticky-key`, …): made
 * once, kept encrypted in the stack state, and the same on every `pulumi up` (cookies stay valid).
 */
function generatedSecrets(parent: pulumi.Resource, name: string, spec: ContainerSpec): Record<string, pulumi.Output<string>> {
  return Object.fromEntries(
    spec.secretEnv.map((s) => {
      const password = new random.RandomPassword(`${name}-${s.name}`, { length: SECRET_LENGTH, special: false }, { parent });
      return [s.env, pulumi.secret(password.result)];
    }),
  );
}

function tokenEnv(spec: ContainerSpec): string {
  return spec.secretEnv.find((s) => s.name === ADMIN_TOKEN)!.env;
}

/** http://host:port/ of a published port (https:// for the TLS one). */
function portUrl(spec: ContainerSpec, name: 'http' | 'https' | 'admin'): string {
  const port = spec.ports.find((p) => p.name === name)!;
  return `${name === 'https' ? 'https' : 'http'}://${urlHost(port.hostIp)}:${port.hostPort}/`;
}

/** A wildcard bind address is reached through loopback from the Docker host itself. */
function urlHost(ip: string): string {
  if (ip === '0.0.0.0') return '127.0.0.1';
  if (ip === '::') return '[::1]';
  return ip.includes(':') ? `[${ip}]` : ip;
}
