// The one lookup of the docker target (STYLE 11: lookups gathered in one place): how many CPUs
// the Docker engine's host has, which sizes the app fleet when no instance count is configured.
import { execFileSync } from 'node:child_process';

export type RunDocker = (args: string[]) => string;

const runDockerCli: RunDocker = (args) => execFileSync('docker', args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });

/**
 * The engine's CPU count (`docker info`), which is the right machine even with a remote
 * DOCKER_HOST; null when the CLI or the engine cannot answer.
 */
export function dockerHostCpus(runDocker: RunDocker = runDockerCli): number | null {
  try {
    const cpus = Number(runDocker(['info', '--format', '{{.NCPU}}']).trim());
    return Number.isInteger(cpus) && cpus > 0 ? cpus : null;
  } catch {
    return null;
  }
}
