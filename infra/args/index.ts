// The public contract of Portico's components: their arg types and the one error they throw on bad
// args. It imports no component and no target, so components, targets (docker, aws) and users all
// depend on it and it on nothing of theirs.
export type { AppArgs, AppBuildArgs } from './app-args';
export type { AwsArgs, AwsDnsArgs, AwsTlsArgs } from './aws-args';
export type { ProxyImageArgs, ProxyListenArgs, UpstreamPolicyArgs } from './proxy-args';
export type { AppFleetArgs, CertificateArgs, EdgeProxyArgs, SizingArgs, WebStackArgs } from './component-args';
export { ComponentArgsError, atMostOneOf } from './args-error';
