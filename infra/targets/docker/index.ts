// The docker target: resources on one Docker engine, rendered from the plan.
export { deployDockerStack, type DockerStack, type DockerStackOptions } from './deploy';
export { buildImage, DEFAULT_BASE_IMAGE, REPO_ROOT, type ImageBuildArgs } from './images';
export { containerArgs } from './container-args';
export { stackNetwork } from './network';
export { dockerHostCpus, type RunDocker } from './host-cpus';
