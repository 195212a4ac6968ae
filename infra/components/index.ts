// Portico's target-neutral components, in the style of @pulumi/awsx. Target-specific ones (the
// docker AppFleet and EdgeProxy) live with their target; infra/package.ts exports them all.
export { WebStack, DEFAULT_TARGET, type WebStackArgs } from './web-stack';
export { Certificate, CERTIFICATE_DEFAULTS, type CertificateArgs } from './certificate';
export { AppFleet, EdgeProxy } from '../targets/docker';
export { ComponentArgsError } from '../args';
export type { AppArgs, AppBuildArgs, AppFleetArgs, AwsArgs, AwsDnsArgs, AwsTlsArgs, EdgeProxyArgs, ProxyImageArgs } from '../args';
