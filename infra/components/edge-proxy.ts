// EdgeProxy: the Portico proxy container, the stack's front door, with its config file uploaded.
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import type { ContainerSpec } from '../plan';
import { containerArgs } from '../targets/docker/container-args';
import { ComponentArgsError } from './args-error';
import { checkImageSource, imageReference, type ImageSourceArgs } from './image-source';

export interface EdgeProxyArgs extends ImageSourceArgs {
  /** The proxy container, from `dockerContainers(planStack(...))`: it carries the config file. */
  readonly container: ContainerSpec;
  /** The stack network's name (pass `network.name` so the container depends on the network). */
  readonly network: pulumi.Input<string>;
  /**
   * What the proxy container starts after, e.g. the AppFleet: the proxy resolves its upstreams'
   * names. (A component's own `dependsOn` does not reach its children, hence an argument.)
   */
  readonly startAfter?: pulumi.Input<pulumi.Resource>[];
}

export class EdgeProxy extends pulumi.ComponentResource {
  static readonly type = 'portico:index:EdgeProxy';

  readonly container: docker.Container;
  /** Where the proxy is published on the Docker host, e.g. http://127.0.0.1:8080/. */
  readonly url: pulumi.Output<string>;
  /** The ProxyConfig file the container runs with, as uploaded. */
  readonly configJson: pulumi.Output<string>;
  /** The admin dashboard on the Docker host's loopback, with `#token=…` when a token is needed: a secret. */
  readonly dashboardUrl: pulumi.Output<string>;
  /** The admin listener's bearer token (a secret), or undefined when the container needs none. */
  readonly adminToken: pulumi.Output<string | undefined>;

  constructor(name: string, args: EdgeProxyArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const config = checkArgs(name, args);
    super(EdgeProxy.type, name, {}, opts);
    const spec = args.container;
    const image = imageReference(this, name, 'proxy', args);
    const secrets = generatedSecrets(this, name, spec);
    this.container = new docker.Container(name, containerArgs(spec, image, args.network, secrets), {
      parent: this,
      dependsOn: args.startAfter,
    });
    // Tied to the container, so a URL is only reported once the container exists.
    this.url = this.container.id.apply(() => portUrl(spec, 'http'));
    this.configJson = this.container.id.apply(() => config);
    const tokenEnv = spec.secretEnv.find((s) => s.name === ADMIN_TOKEN)?.env;
    this.adminToken = tokenEnv === undefined ? pulumi.output(undefined) : pulumi.output(secrets[tokenEnv]);
    const dashboard = pulumi.all([this.container.id, this.adminToken]).apply(([, token]) => {
      const url = portUrl(spec, 'admin');
      return url && token !== undefined ? `${url}#token=${encodeURIComponent(token)}` : url;
    });
    this.dashboardUrl = pulumi.secret(dashboard);
    this.registerOutputs({ url: this.url, configJson: this.configJson, dashboardUrl: this.dashboardUrl });
  }
}

/** The secret name (SecretEnvPlan.name) of the admin token. */
const ADMIN_TOKEN = 'admin-token';
/** 32 letters and digits: ~190 bits, safe in a URL fragment and a header without escaping. */
const SECRET_LENGTH = 32;

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

/** http://host:port/ of a published port, '' when the spec publishes none of that name. */
function portUrl(spec: ContainerSpec, name: 'http' | 'admin'): string {
  const port = spec.ports.find((p) => p.name === name);
  return port ? `http://${urlHost(port.hostIp)}:${port.hostPort}/` : '';
}

function checkArgs(name: string, args: EdgeProxyArgs): string {
  checkImageSource(EdgeProxy.type, name, args);
  const spec = args.container;
  if (spec === undefined) throw new ComponentArgsError(EdgeProxy.type, name, 'container is required');
  if (spec.role !== 'proxy') throw new ComponentArgsError(EdgeProxy.type, name, `container ${spec.name} has role ${spec.role}, not proxy`);
  const configPath = spec.env.PORTICO_CONFIG;
  const file = spec.files.find((f) => f.path === configPath);
  if (!file) throw new ComponentArgsError(EdgeProxy.type, name, `container ${spec.name} has no file at PORTICO_CONFIG (${configPath ?? 'unset'})`);
  if (args.network === undefined) throw new ComponentArgsError(EdgeProxy.type, name, 'network is required');
  return file.content;
}

/** A wildcard bind address is reached through loopback from the Docker host itself. */
function urlHost(ip: string): string {
  if (ip === '0.0.0.0') return '127.0.0.1';
  if (ip === '::') return '[::1]';
  return ip.includes(':') ? `[${ip}]` : ip;
}
