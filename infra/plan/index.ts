// The plan: typed stack args -> StackPlan, pure and free of Pulumi (DESIGN "The spine").
export { planStack, appVmName } from './plan-stack';
export { bindVmAddresses } from './vm-addresses';
export { PlanError } from './plan-error';
export { instanceCount } from './sizing';
export { buildProxyConfig, APP_UPSTREAM } from './proxy-config';
export { dockerContainers, DOCKERFILES, LABELS } from './docker-containers';
export { PACKAGE_ROOT } from './package-root';
export { dockerRunArgs, dockerConnectArgs, containerFileName, writeContainerFiles } from './docker-run-args';
export * from './stack-args';
export type * from './stack-plan';
export type { ResolvedStackArgs } from './resolve-args';
export type { ContainerSpec, ContainerRole, ContainerFile, ContainerNetwork, ContainerVolume, Healthcheck, PublishedPort } from './docker-containers';
export { stackArgsOf } from './public-args';
export type { DockerRunOptions } from './docker-run-args';
