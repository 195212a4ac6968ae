// Runs the pack's policies the way the policy engine calls them, without the engine: each
// policy's validateResource / validateStack on plain resource objects, with a reportViolation spy.
// (Constructing the PolicyPack would start its gRPC server, so tests never import ../../policy.)
import type {
  Policies,
  PolicyResource,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from '../../policy/policies/policy-types';
import { isSecretInput, plainInput, type RecordedResource } from '../infra/pulumi-harness';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Props = Record<string, any>;

export interface ResourceUnderTest {
  type: string;
  name?: string;
  props: Props;
}

/** Each violation one validateResource reported for one resource (the spy's messages). */
export async function violationsOf(policy: ResourceValidationPolicy, resource: ResourceUnderTest, config: Props = {}): Promise<string[]> {
  const reportViolation = jest.fn<void, Parameters<ReportViolation>>();
  for (const validate of validationsOf(policy)) await validate(resourceArgs(resource, config), reportViolation);
  return reportViolation.mock.calls.map(([message]) => message);
}

/** Each violation one validateStack reported, with the URN it names ('' for the stack). */
export async function stackViolationsOf(policy: StackValidationPolicy, resources: PolicyResource[], config: Props = {}): Promise<{ message: string; urn: string }[]> {
  const reportViolation = jest.fn<void, Parameters<ReportViolation>>();
  await policy.validateStack({ resources, stackTags: new Map(), getConfig: <T>() => config as T, notApplicable }, reportViolation);
  return reportViolation.mock.calls.map(([message, urn]) => ({ message, urn: urn ?? '' }));
}

/** Every policy over every resource, as the engine runs a pack: `policy: resource: message` lines. */
export async function packViolations(policies: Policies, resources: PolicyResource[]): Promise<string[]> {
  const found: string[] = [];
  for (const policy of policies) {
    if ('validateStack' in policy) {
      for (const v of await stackViolationsOf(policy, resources)) found.push(`${policy.name}: ${v.urn.split('::').pop()}: ${v.message}`);
      continue;
    }
    for (const resource of resources) {
      for (const message of await violationsOf(policy, resource)) found.push(`${policy.name}: ${resource.name}: ${message}`);
    }
  }
  return found;
}

/** A stack's resources as the engine hands them to validateStack, made from plain descriptions. */
export function stackOf(resources: (ResourceUnderTest & { name: string; dependsOn?: Record<string, string[]> })[]): PolicyResource[] {
  const made = resources.map((r) => policyResource(r.type, r.name, r.props));
  resources.forEach((r, i) => {
    for (const [key, names] of Object.entries(r.dependsOn ?? {})) {
      made[i].propertyDependencies[key] = names.map((name) => made.find((m) => m.name === name)!);
    }
  });
  return made;
}

/** The recorded resource graph of a program run under mocks, as the engine's PolicyResources. */
export function policyResourcesOfGraph(recorded: RecordedResource[]): PolicyResource[] {
  const custom = recorded.filter((r) => r.custom);
  const made = custom.map((r) => ({ ...policyResource(r.type, r.name, plain(r.inputs) as Props), urn: r.urn }));
  const byUrn = new Map(made.map((m) => [m.urn, m]));
  custom.forEach((r, i) => {
    for (const [key, urns] of Object.entries(r.propertyDependencies)) {
      made[i].propertyDependencies[key] = urns.map((u) => byUrn.get(u)).filter((m): m is PolicyResource => m !== undefined);
    }
    made[i].dependencies = r.dependencies.map((u) => byUrn.get(u)).filter((m): m is PolicyResource => m !== undefined);
  });
  return made;
}

// --- implementation ---

function validationsOf(policy: ResourceValidationPolicy): ResourceValidation[] {
  const v = policy.validateResource;
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function resourceArgs(resource: ResourceUnderTest, config: Props): ResourceValidationArgs {
  const name = resource.name ?? 'subject';
  return {
    type: resource.type,
    props: resource.props,
    urn: urnOf(resource.type, name),
    name,
    opts: options(),
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T>() => config as T,
    notApplicable,
  };
}

function policyResource(type: string, name: string, props: Props): PolicyResource {
  return {
    type,
    name,
    props,
    urn: urnOf(type, name),
    opts: options(),
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  };
}

function urnOf(type: string, name: string): string {
  return `urn:pulumi:test::portico::${type}::${name}`;
}

function options(): ResourceValidationArgs['opts'] {
  return { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] };
}

function notApplicable(reason?: string): never {
  throw new Error(`not applicable: ${reason ?? ''}`);
}

/** Secrets unwrapped, as the policy engine hands a policy the values. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value !== 'object' || value === null) return value;
  if (isSecretInput(value)) return plain(plainInput(value));
  return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, plain(x)]));
}
