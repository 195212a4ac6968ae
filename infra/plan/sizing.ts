// How many app instances a stack runs: the proxy's sizing rule (proxy/src/cores.ts), applied to a
// machine the plan cannot inspect. An explicit count wins; else one instance per core, at least 1.
import { sizeToCores } from '../../proxy/src/cores';

/** The instance count, or a problem naming the field; `cores` is the target machine's, given by the caller. */
export function instanceCount(instances: number | undefined, cores: number | undefined): number | string {
  if (instances !== undefined) {
    try {
      // The explicit branch of sizeToCores validates and returns without reading the host.
      return sizeToCores(instances);
    } catch (err) {
      return `instances: ${(err as Error).message}`;
    }
  }
  if (cores === undefined) return 'instances or cores must be given (the plan cannot count the cores of the machine the apps run on)';
  if (typeof cores !== 'number' || !Number.isFinite(cores) || cores <= 0) return `cores must be a number > 0, got ${cores}`;
  // Fractional cores (a container's --cpus 1.5) round down, never below one instance, as sizeToCores does.
  return Math.max(1, Math.floor(cores));
}
