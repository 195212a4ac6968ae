// What the AWS target needs beyond the plan: the public AwsArgs (where the VMs go, which machines,
// TLS and DNS) with the TLS mode checked, plus the user's app and the proxy image.
import { ComponentArgsError, type AppArgs, type AwsArgs, type AwsDnsArgs, type AwsTlsArgs, type ProxyImageArgs } from '../../args';
import { acmeProblem, AWS_TLS_MODES, pemProblem, type AwsTlsMode } from './proxy-tls';

export interface AwsStackOptions extends Omit<AwsArgs, 'appVms' | 'tls'> {
  /** The user's app: a prebuilt `image` or a `build` (pushed to ECR), its `env` and `secretEnv`. Default: app-sample built from this repo. */
  app?: AppArgs;
  /** The proxy image: prebuilt, or built from this package's proxy/Dockerfile (pushed to ECR). */
  proxy?: ProxyImageArgs;
  tls?: AwsTlsOptions;
}

export interface AwsTlsOptions extends Omit<AwsTlsArgs, 'mode'> {
  mode?: AwsTlsMode;
}

export type AwsDnsOptions = AwsDnsArgs;

export const AWS_DEFAULTS = {
  appInstanceType: 't3.small',
  proxyVms: 1,
  proxyInstanceType: 't3.small',
  rootVolumeGiB: 16,
  tlsMode: 'acme',
  dnsTtl: 300,
} as const;

/**
 * A component's public `aws` args -> the target's options, every field checked first (STYLE 10):
 * `type` and `name` are the component's, for the error; `hostnames` are the stack's (ACME's names).
 */
export function awsStackOptions(
  type: string,
  name: string,
  args: AwsArgs = {},
  app: AppArgs,
  proxy: ProxyImageArgs | undefined,
  hostnames: readonly string[],
): AwsStackOptions {
  const fail = (problem: string) => {
    throw new ComponentArgsError(type, name, problem);
  };
  const mode = args.tls?.mode ?? AWS_DEFAULTS.tlsMode;
  if (!(AWS_TLS_MODES as readonly string[]).includes(mode)) fail(`aws.tls.mode must be one of ${AWS_TLS_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  if (mode === 'certificates') {
    const problem = pemProblem(args.tls?.certificatePem, 'aws.tls.certificatePem') ?? pemProblem(args.tls?.privateKeyPem, 'aws.tls.privateKeyPem');
    if (problem) fail(`aws.tls.mode certificates needs aws.tls.certificatePem and aws.tls.privateKeyPem (PEM, as Pulumi secrets): ${problem}`);
  }
  if (args.proxyVms !== undefined && !(Number.isInteger(args.proxyVms) && args.proxyVms >= 1)) {
    fail(`aws.proxyVms must be an integer >= 1, got ${JSON.stringify(args.proxyVms)}`);
  }
  if (args.rootVolumeGiB !== undefined && !(Number.isInteger(args.rootVolumeGiB) && args.rootVolumeGiB >= 8)) {
    fail(`aws.rootVolumeGiB must be an integer >= 8 (the AMI's own size), got ${JSON.stringify(args.rootVolumeGiB)}`);
  }
  if ((args.vpcId === undefined) !== (args.subnetIds === undefined || args.subnetIds.length === 0)) {
    fail('aws.vpcId and aws.subnetIds go together: an existing VPC and its public subnets, or neither (a new VPC)');
  }
  const acme = mode === 'acme' ? acmeProblem(hostnames, 'aws.') : undefined;
  if (acme) fail(acme);
  const { appVms: _vms, tls, ...rest } = args;
  return { ...rest, app, ...(proxy !== undefined && { proxy }), tls: { ...tls, mode: mode as AwsTlsMode } };
}
