// Pulumi without a CLI (TESTING.md): mocks that echo inputs and never throw, plus a recorder that
// wraps the mock monitor to capture what the mocks' newResource hook cannot see — parent,
// dependencies and provider — so tests can assert properties of the whole resource graph.
import { createHash } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';

export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  /** The parent's URN ('' for the stack root's direct children in mocks). */
  parent: string;
  /** URNs this resource depends on (explicit dependsOn and those found in its inputs). */
  dependencies: string[];
  /** Per input property: the URNs its value came from. */
  propertyDependencies: Record<string, string[]>;
  /** The provider reference ('' for the default provider in mocks). */
  provider: string;
  /** As the provider receives them; tests index into them freely, hence `any`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  inputs: Record<string, any>;
  /** Components only: what registerOutputs reported. */
  outputs?: Record<string, unknown>;
}

export class ResourceGraph {
  readonly resources: RecordedResource[] = [];
  private pending = new Set<Promise<void>>();

  reset(): void {
    this.resources.length = 0;
  }

  ofType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The one resource of a type and name; fails the test with the names that exist otherwise. */
  get(type: string, name: string): RecordedResource {
    const found = this.resources.find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`no ${type} named ${name}; have: ${this.ofType(type).map((r) => r.name).join(', ')}`);
    return found;
  }

  childrenOf(urn: string): RecordedResource[] {
    return this.resources.filter((r) => r.parent === urn);
  }

  /** Every registration sent so far has been answered (registration is asynchronous). */
  async settled(): Promise<void> {
    for (let round = 0; round < 100; round++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.pending.size === 0) return;
      await Promise.all([...this.pending]);
    }
  }

  track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }
}

/** What a provider computes for a resource of one type: its outputs beyond the echoed inputs. */
export type ComputedOutputs = (name: string, inputs: Record<string, unknown>) => Record<string, unknown>;
/** The answer of one invoke (data source), by token, e.g. aws:ec2/getInstanceType:getInstanceType. */
export type InvokeAnswer = (inputs: Record<string, unknown>) => Record<string, unknown>;

export interface MockOptions {
  project?: string;
  stack?: string;
  config?: Record<string, string>;
  /** Invoke answers by token; an unlisted invoke echoes its inputs. */
  calls?: Record<string, InvokeAnswer>;
  /** Computed outputs by resource type, on top of the built-in ones. */
  outputs?: Record<string, ComputedOutputs>;
}

/** Sets the mocks and config, then wraps the monitor. Call before constructing any resource. */
export function installPulumiMocks(options: MockOptions = {}): ResourceGraph {
  const project = options.project ?? 'portico';
  void pulumi.runtime.setMocks(mocksWith(options), project, options.stack ?? 'test', false);
  for (const [key, value] of Object.entries(options.config ?? {})) pulumi.runtime.setConfig(`${project}:${key}`, value);
  const graph = new ResourceGraph();
  wrapMonitor(graph);
  return graph;
}

/** The value of an output (mocks run as `up`, not preview, so every output resolves). */
export function valueOf<T>(output: pulumi.Output<T> | pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(output).apply((v) => resolve(v as T)));
}

/** The signature key and value Pulumi's wire format marks a secret with ({ [SIG]: SECRET, value }). */
const SIG = '4dabf18193072939515e22adb298388d';
const SECRET = '1b47061264138c4ac30d75fd1eb44270';

/** Whether a recorded input was sent to the engine as a secret (so the state keeps it encrypted). */
export function isSecretInput(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[SIG] === SECRET;
}

/** A recorded input's value, unwrapped when it was sent as a secret. */
export function plainInput<T>(value: unknown): T {
  return (isSecretInput(value) ? (value as { value: unknown }).value : value) as T;
}

// --- implementation ---

function mocksWith(options: MockOptions): pulumi.runtime.Mocks {
  return {
    newResource(args) {
      try {
        const extra = options.outputs?.[args.type]?.(args.name, args.inputs) ?? {};
        return { id: `${args.name}-id`, state: { ...args.inputs, ...computedOutputs(args.type, args.name, args.inputs), ...extra } };
      } catch {
        return { id: `${args.name}-id`, state: args.inputs ?? {} };
      }
    },
    call(args) {
      try {
        return { ...args.inputs, ...options.calls?.[args.token]?.(args.inputs ?? {}) };
      } catch {
        return args.inputs ?? {};
      }
    },
  };
}

/** What the real providers compute and the program reads. */
function computedOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const fake = (kind: string) => `-----BEGIN ${kind}-----\nfake ${name}\n-----END ${kind}-----\n`;
  switch (type) {
    case 'docker:index/image:Image':
      return { repoDigest: `sha256:${createHash('sha256').update(name).digest('hex')}`, baseImageName: inputs.imageName };
    case 'docker:index/network:Network':
    case 'docker:index/container:Container':
      return { name: inputs.name ?? name };
    case 'random:index/randomPassword:RandomPassword':
      // As the provider: `length` characters, letters and digits when special is false.
      return { result: createHash('sha256').update(name).digest('hex').slice(0, Number(inputs.length ?? 16)) };
    case 'tls:index/privateKey:PrivateKey':
      return { privateKeyPem: fake('PRIVATE KEY'), publicKeyPem: fake('PUBLIC KEY') };
    case 'tls:index/certRequest:CertRequest':
      return { certRequestPem: fake('CERTIFICATE REQUEST') };
    case 'tls:index/selfSignedCert:SelfSignedCert':
    case 'tls:index/locallySignedCert:LocallySignedCert':
      return { certPem: fake('CERTIFICATE') };
    default:
      return {};
  }
}

// The slice of the gRPC monitor and its protobuf messages the recorder touches.
type Callback = (err: unknown, response: unknown) => void;
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getParent(): string;
  getProvider(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(each: (deps: { getUrnsList(): string[] }, key: string) => void): void };
  getObject(): unknown;
}
interface OutputsRequest {
  getUrn(): string;
  getOutputs(): unknown;
}
interface Monitor {
  registerResource(req: RegisterRequest, callback: Callback): void;
  registerResourceOutputs(req: OutputsRequest, callback: Callback): void;
}

function wrapMonitor(graph: ResourceGraph): void {
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  const register = monitor.registerResource.bind(monitor);
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);

  monitor.registerResource = (req, callback) => {
    let done!: () => void;
    graph.track(new Promise<void>((resolve) => (done = resolve)));
    register(req, (err, response) => {
      try {
        if (!err && response) graph.resources.push(recordOf(req, (response as { getUrn(): string }).getUrn()));
      } finally {
        callback(err, response);
        done();
      }
    });
  };
  monitor.registerResourceOutputs = (req, callback) => {
    const recorded = graph.resources.find((r) => r.urn === req.getUrn());
    if (recorded) recorded.outputs = pulumi.runtime.deserializeProperties(req.getOutputs() as never);
    registerOutputs(req, callback);
  };
}

function recordOf(req: RegisterRequest, urn: string): RecordedResource {
  const propertyDependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((deps, key) => {
    propertyDependencies[key] = deps.getUrnsList();
  });
  return {
    urn,
    type: req.getType(),
    name: req.getName(),
    custom: req.getCustom(),
    parent: req.getParent(),
    dependencies: req.getDependenciesList(),
    propertyDependencies,
    provider: req.getProvider(),
    inputs: pulumi.runtime.deserializeProperties(req.getObject() as never),
  };
}
