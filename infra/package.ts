// The package's entry point: what another repo imports (`import { WebStack } from 'portico'`) and
// what `pulumi package add` serves as a component provider (PulumiPlugin.yaml): every exported
// ComponentResource becomes `portico:index:<Class>`, its args typed by infra/args.
export { WebStack } from './components/web-stack';
export { Certificate } from './components/certificate';
export { AppFleet } from './targets/docker/app-fleet';
export { EdgeProxy } from './targets/docker/edge-proxy';
export { ComponentArgsError } from './args';
export type {
  AppArgs,
  AppBuildArgs,
  AppFleetArgs,
  AwsArgs,
  AwsDnsArgs,
  AwsTlsArgs,
  CertificateArgs,
  EdgeProxyArgs,
  ProxyImageArgs,
  ProxyListenArgs,
  SizingArgs,
  UpstreamPolicyArgs,
  WebStackArgs,
} from './args';
