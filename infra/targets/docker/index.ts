// The docker target: resources on one Docker engine, rendered from the plan, and its components.
export { deployDockerStack, type DockerStack, type DockerStackOptions } from './deploy';
export { AppFleet, checkApp } from './app-fleet';
export { EdgeProxy } from './edge-proxy';
export { buildAppImage, buildProxyImage, DEFAULT_BASE_IMAGE, PACKAGE_ROOT } from './images';
export { containerArgs, type ContainerInputs } from './container-args';
export { appNetwork, edgeNetwork } from './network';
export { dockerHostCpus, type RunDocker } from './host-cpus';
export { engineCores } from './sizing';
