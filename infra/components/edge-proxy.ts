// EdgeProxy: the Portico proxy container, the stack's front door, with its config file uploaded.
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
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

  constructor(name: string, args: EdgeProxyArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const config = checkArgs(name, args);
    super(EdgeProxy.type, name, {}, opts);
    const spec = args.container;
    const image = imageReference(this, name, 'proxy', args);
    this.container = new docker.Container(name, containerArgs(spec, image, args.network), {
      parent: this,
      dependsOn: args.startAfter,
    });
    const http = spec.ports[0];
    const url = http ? `http://${urlHost(http.hostIp)}:${http.hostPort}/` : '';
    // Tied to the container, so the URL is only reported once the container exists.
    this.url = this.container.id.apply(() => url);
    this.configJson = this.container.id.apply(() => config);
    this.registerOutputs({ url: this.url, configJson: this.configJson });
  }
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
