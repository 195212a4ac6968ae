// An app VM's boot recipe: Docker, an ECR login, the user's secret env file from S3, then one app
// container per planned instance, each on its own host port (the plan's appPort + slot), restarted
// by Docker when it exits.
import type { AppInstancePlan } from '../../plan';
import { APP_ENV_FILE, fetchAppSecrets, type AppSecretsLocation } from './app-secrets';
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
  /** The user's secretEnv: where the VM fetches its env file (the values never enter user data). */
  secrets?: AppSecretsLocation;
  /** The secretEnv's names: they win over a plain `env` of the same name, as on docker. */
  secretNames?: readonly string[];
}

export function appVmCloudConfig(data: AppVmUserData): CloudConfig {
  if (data.apps.length === 0) throw new Error('appVmCloudConfig: an app VM needs at least one planned instance');
  const runtime = containerRuntime(data.login);
  return {
    package_update: true,
    packages: runtime.packages,
    write_files: runtime.write_files,
    runcmd: [
      ...runtime.runcmd,
      ...(data.secrets ? [fetchAppSecrets(data.secrets)] : []),
      ...data.apps.map((app) => appContainerRun(app, data.image, plainEnv(data), data.secrets !== undefined)),
    ],
  };
}

export function appVmUserData(data: AppVmUserData): string {
  return renderCloudConfig(appVmCloudConfig(data));
}

/**
 * `docker run` of one instance. The app listens on its own port inside the container too (PORT),
 * so the address the proxy dials is the same number everywhere. `--env` wins over `--env-file`:
 * the plan's own variables over the user's secret ones.
 */
export function appContainerRun(app: AppInstancePlan, image: string, userEnv: Record<string, string> = {}, secretFile = false): string[] {
  const env = Object.entries({ ...userEnv, ...app.env }).flatMap(([key, value]) => ['--env', `${key}=${value}`]);
  return [
    'docker', 'run', '--detach',
    '--name', app.name,
    '--restart', 'unless-stopped',
    // Docker's own stop must wait out the app's drain (SHUTDOWN_DELAY_MS) like the daemon does.
    '--stop-timeout', String(DAEMON_SHUTDOWN_TIMEOUT_S),
    '--publish', `${app.port}:${app.port}/tcp`,
    '--label', `dev.portico.instance=${app.id}`,
    ...(secretFile ? ['--env-file', APP_ENV_FILE] : []),
    ...env,
    image,
  ];
}

function plainEnv(data: AppVmUserData): Record<string, string> {
  const secret = new Set(data.secretNames ?? []);
  return Object.fromEntries(Object.entries(data.env ?? {}).filter(([key]) => !secret.has(key)));
}
