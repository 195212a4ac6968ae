// How many app instances a docker stack runs: an explicit count, the cores given, or (only when the
// stack asks with `sizeToEngine`) the Docker engine's CPUs. Never this machine's: a preview run
// anywhere plans the same stack.
import { ComponentArgsError, type SizingArgs } from '../../args';
import { dockerHostCpus } from './host-cpus';

/** The engine's CPU count when the args ask for it (to pass as `engineCores`), else undefined. */
export function engineCores(type: string, name: string, args: SizingArgs, askEngine: () => number | null = dockerHostCpus): number | undefined {
  const given = (['instances', 'cores'] as const).filter((f) => args[f] !== undefined);
  if (!args.sizeToEngine) return undefined;
  if (given.length) throw new ComponentArgsError(type, name, `sizeToEngine conflicts with ${given.join(' and ')}: give one way of sizing`);
  const cpus = askEngine();
  if (cpus === null) throw new ComponentArgsError(type, name, 'sizeToEngine: cannot ask the Docker engine for its CPUs (docker info); give instances instead');
  return cpus;
}
