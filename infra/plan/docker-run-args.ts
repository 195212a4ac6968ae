// A ContainerSpec as `docker run` arguments: the system test runs the plan's containers with the
// docker CLI through this, never through a second description of them.
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ContainerFile, ContainerSpec } from './docker-containers';

export interface DockerRunOptions {
  /**
   * A host folder holding each of the spec's files under `containerFileName(file)`, owned by root
   * with the file's `mode` (writeContainerFiles makes them). The CLI has no `uploads`; a read-only
   * bind mount puts the same content at the same path.
   */
  filesDir?: string;
  /** The value of each of the spec's `secretEnv` variables (the CLI has no Pulumi to make them). */
  secrets?: Record<string, string>;
}

/** The name a spec's file has in `filesDir`. */
export function containerFileName(file: ContainerFile): string {
  return path.posix.basename(file.path);
}

/**
 * Arguments after `docker`: `run --detach … <image>` (the image's own command runs). The CLI joins
 * one network at create: a spec with more networks is made with `create` instead, then
 * `dockerConnectArgs` joins the rest and `start` starts it, as the Pulumi provider does.
 */
export function dockerRunArgs(spec: ContainerSpec, image: string, options: DockerRunOptions = {}): string[] {
  const [first] = spec.networks;
  const args = spec.networks.length > 1 ? ['create'] : ['run', '--detach'];
  args.push('--name', spec.name, '--network', first.name);
  for (const alias of first.aliases) args.push('--network-alias', alias);
  for (const [key, value] of Object.entries(spec.env)) args.push('--env', `${key}=${value}`);
  for (const { env } of spec.secretEnv) args.push('--env', `${env}=${secretValue(spec, env, options.secrets)}`);
  for (const p of spec.ports) args.push('--publish', `${publishHost(p.hostIp)}:${p.hostPort}:${p.containerPort}/${p.protocol}`);
  const h = spec.healthcheck;
  args.push('--health-cmd', h.shellCommand, '--health-interval', h.interval, '--health-timeout', h.timeout);
  args.push('--health-retries', String(h.retries), '--health-start-period', h.startPeriod);
  for (const [key, value] of Object.entries(spec.labels)) args.push('--label', `${key}=${value}`);
  args.push('--restart', spec.restart);
  for (const group of spec.groups) args.push('--group-add', group);
  for (const file of spec.files) args.push('--mount', fileMount(spec, file, options.filesDir));
  for (const volume of spec.volumes) args.push('--mount', `type=volume,source=${volume.name},target=${volume.path}`);
  args.push(image);
  return args;
}

/** `network connect` arguments for each network after the first (empty for a one-network spec). */
export function dockerConnectArgs(spec: ContainerSpec): string[][] {
  return spec.networks.slice(1).map((n) => ['network', 'connect', ...n.aliases.flatMap((a) => ['--alias', a]), n.name, spec.name]);
}

/**
 * Writes each of the spec's files into `filesDir` with its mode; `supplied` gives the content of
 * the files the plan leaves to the target (the certificate and its key).
 */
export function writeContainerFiles(spec: ContainerSpec, filesDir: string, supplied: Partial<Record<NonNullable<ContainerFile['from']>, string>> = {}): void {
  for (const file of spec.files) {
    const content = file.from === undefined ? file.content : supplied[file.from];
    if (content === undefined) throw new Error(`writeContainerFiles: container ${spec.name} needs the ${file.from} for ${file.path}`);
    const target = path.join(filesDir, containerFileName(file));
    writeFileSync(target, content, { mode: file.mode });
    chmodSync(target, file.mode); // writeFileSync's mode is filtered by the umask and ignored for an existing file
  }
}

function fileMount(spec: ContainerSpec, file: ContainerFile, filesDir: string | undefined): string {
  if (filesDir === undefined) throw new Error(`dockerRunArgs: container ${spec.name} needs ${file.path}: give options.filesDir`);
  const source = path.join(filesDir, containerFileName(file));
  return `type=bind,source=${source},target=${file.path},readonly`;
}

function secretValue(spec: ContainerSpec, env: string, secrets: Record<string, string> | undefined): string {
  const value = secrets?.[env];
  if (value === undefined) throw new Error(`dockerRunArgs: container ${spec.name} needs secret ${env}: give options.secrets`);
  return value;
}

/** An IPv6 host must be bracketed in `--publish`. */
function publishHost(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}
