// What every VM of the AWS target does before it runs a container: Docker from the distribution
// (Amazon Linux 2023), a slow enough daemon shutdown for apps to drain, and an ECR login with the
// instance profile's credentials (the AWS CLI ships with the AMI; nothing is baked into user data).
import { shell, shellQuote, type CloudConfig, type CloudFile } from './cloud-init';

export interface RegistryLogin {
  region: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com`. */
  registry: string;
}

/**
 * On VM shutdown systemd stops dockerd, which gives each container its stop timeout: long enough
 * for an app's SHUTDOWN_DELAY_MS (its /readyz says 503 until the proxy stops sending) and the rest.
 */
export const DAEMON_SHUTDOWN_TIMEOUT_S = 60;

export function containerRuntime(login: RegistryLogin | undefined): Required<Pick<CloudConfig, 'packages' | 'write_files' | 'runcmd'>> {
  const daemon: CloudFile = {
    path: '/etc/docker/daemon.json',
    content: `${JSON.stringify({ 'shutdown-timeout': DAEMON_SHUTDOWN_TIMEOUT_S, 'log-driver': 'journald', 'live-restore': false }, null, 2)}\n`,
    permissions: '0644',
  };
  return {
    packages: ['docker'],
    write_files: [daemon],
    runcmd: [['systemctl', 'enable', '--now', 'docker'], ...(login ? [ecrLogin(login)] : [])],
  };
}

/** `aws ecr get-login-password | docker login`: the token comes from the instance profile (ECR read). */
export function ecrLogin(login: RegistryLogin): string[] {
  return shell(
    `aws ecr get-login-password --region ${shellQuote(login.region)} | docker login --username AWS --password-stdin ${shellQuote(login.registry)}`,
  );
}

/** The registry host of an image reference in ECR, or undefined for any other registry. */
export function ecrRegistryOf(image: string): string | undefined {
  const host = image.split('/')[0];
  return /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(host) ? host : undefined;
}
