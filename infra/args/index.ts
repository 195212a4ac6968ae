// The public contract of Portico's components: arg types only, importing no component and no
// target, so components, targets (docker, aws) and users all depend on it and it on nothing.
export type { AppArgs, AppBuildArgs } from './app-args';
export type { ProxyImageArgs, ProxyListenArgs, UpstreamPolicyArgs } from './proxy-args';
export type { AppFleetArgs, CertificateArgs, EdgeProxyArgs, SizingArgs, WebStackArgs } from './component-args';
