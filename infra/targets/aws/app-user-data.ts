// An app VM's boot recipe: Docker, an ECR login, then one app container per planned instance, each
// on its own host port (the plan's appPort + slot), restarted by Docker when it exits.
import type { AppInstancePlan } from '../../plan';
import { renderCloudConfig, type CloudConfig } from './cloud-init';
import { containerRuntime, DAEMON_SHUTDOWN_TIMEOUT_S, type RegistryLogin } from './container-runtime';

export interface AppVmUserData {
  /** The app image by digest (`repo@sha256:…`), so a new build is a new user data and a new VM. */
  image: string;
  /** Present when the image is in ECR: the VM logs in with its instance profile first. */
  login?: RegistryLogin;
  /** This VM's instances, from the plan (apps whose `vm` is this VM). */
  apps: readonly AppInstancePlan[];
  /** The user's app env, for every instance; the plan's own (PORT, HOST, INSTANCE_ID, …) win. */
  env?: Record<string, string>;
}

export function appVmCloudConfig(data: AppVmUserData): CloudConfig {
  if (data.apps.length === 0) throw new Error('appVmCloudConfig: an app VM needs at least one planned instance');
  const runtime = containerRuntime(data.login);
  return {
    package_update: true,
    packages: runtime.packages,
    write_files: runtime.write_files,
    runcmd: [...runtime.runcmd, ...data.apps.map((app) => appContainerRun(app, data.image, data.env))],
  };
}

export function appVmUserData(data: AppVmUserData): string {
  return renderCloudConfig(appVmCloudConfig(data));
}

/**
 * `docker run` of one instance. The app listens on its own port inside the container too (PORT),
 * so the address the proxy dials is the same number everywhere.
 */
export function appContainerRun(app: AppInstancePlan, image: string, userEnv: Record<string, string> = {}): string[] {
  const env = Object.entries({ ...userEnv, ...app.env }).flatMap(([key, value]) => ['--env', `${key}=${value}`]);
  return [
    'docker', 'run', '--detach',
    '--name', app.name,
    '--restart', 'unless-stopped',
    // Docker's own stop must wait out the app's drain (SHUTDOWN_DELAY_MS) like the daemon does.
    '--stop-timeout', String(DAEMON_SHUTDOWN_TIMEOUT_S),
    '--publish', `${app.port}:${app.port}/tcp`,
    '--label', `dev.portico.instance=${app.id}`,
    ...env,
    image,
  ];
}
