// Helpers for tests that drive a real Docker engine through the `docker` CLI: know whether Docker
// is there (skip, or fail in CI), build images, and run containers inside a sandbox that removes
// everything it created. See /work/shared/TESTING.md (Docker) for this machine's quirks.
//
//   describeWithDocker('my images', () => {
//     const sandbox = new DockerSandbox('my-test');
//     afterAll(() => sandbox.dispose());
//     it('serves', async () => {
//       await buildImage({ dockerfile: 'proxy/Dockerfile', tag: 'portico/proxy:test' });
//       const net = await sandbox.createNetwork();
//       const c = await sandbox.run({ image: 'portico/proxy:test', network: net, publish: [8080] });
//       const port = await sandbox.hostPort(c, 8080);   // published on 127.0.0.1 only
//     });
//   });
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

export const REPO_ROOT = path.join(__dirname, '..', '..');

/** Every resource a sandbox creates carries this label: `docker ps -a --filter label=portico.test`. */
export const TEST_LABEL = 'portico.test';

/** The base image tests build on when the Dockerfile default (node:22-slim) cannot be pulled. */
export const LOCAL_NODE_IMAGE = 'local/node-base:22';

export class DockerError extends Error {
  constructor(
    readonly args: string[],
    readonly stderr: string,
    readonly code: number | string | null,
  ) {
    super(`docker ${args.join(' ')} failed (${code}):\n${stderr.trim().split('\n').slice(-20).join('\n')}`);
  }
}

/** Runs `docker ARGS`; resolves with stdout, trimmed. */
export function docker(args: string[], options: { timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('docker', args, { timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new DockerError(args, `${stderr}${stdout}`, (err as NodeJS.ErrnoException).code ?? null));
      else resolve(stdout.trim());
    });
  });
}

// ---- is Docker there?

export interface DockerAvailability {
  ok: boolean;
  /** why not, when not */
  reason?: string;
}

let availability: DockerAvailability | undefined;

/** Whether a Docker daemon answers (checked once per test file; synchronous, for describe blocks). */
export function dockerAvailability(): DockerAvailability {
  if (!availability) {
    try {
      execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 15_000 });
      availability = { ok: true };
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
      const detail = e.code === 'ENOENT' ? 'no docker CLI on PATH' : (e.stderr?.toString().trim().split('\n')[0] ?? e.message);
      availability = { ok: false, reason: `${detail} (start it with ensure-docker.sh, see TESTING.md)` };
    }
  }
  return availability;
}

/** True when Docker-dependent tests must run (CI sets PORTICO_REQUIRE_SYSTEM=1): never skip then. */
export function systemTestsRequired(): boolean {
  return process.env.PORTICO_REQUIRE_SYSTEM === '1';
}

/** `describe` when Docker answers; see describeIfAvailable. */
export function describeWithDocker(name: string, fn: () => void): void {
  describeIfAvailable(name, 'Docker', dockerAvailability(), fn);
}

/**
 * `describe` when `tool` is there. Otherwise: with PORTICO_REQUIRE_SYSTEM=1 the block still runs
 * with one test that fails with the reason; without it the block is skipped and the reason printed.
 */
export function describeIfAvailable(name: string, tool: string, { ok, reason }: { ok: boolean; reason?: string }, fn: () => void): void {
  if (ok) return describe(name, fn);
  if (systemTestsRequired()) {
    return describe(name, () => {
      it(`needs ${tool} (PORTICO_REQUIRE_SYSTEM=1)`, () => {
        throw new Error(`${tool} is not available: ${reason}`);
      });
    });
  }
  process.stderr.write(`[skip] ${name}: ${tool} is not available: ${reason}\n`);
  describe.skip(name, fn);
}

// ---- images

export interface BuildOptions {
  /** path from the repo root, e.g. 'app-sample/Dockerfile' */
  dockerfile: string;
  tag: string;
  /** default: the repo root */
  context?: string;
  buildArgs?: Record<string, string>;
  /** default 'host': `npm ci` inside the build needs the registry, reachable only that way here */
  network?: string;
  timeoutMs?: number;
}

/**
 * The NODE_IMAGE build argument to use: $PORTICO_NODE_IMAGE, else the local base image when it
 * exists (no registry reachable here), else undefined (the Dockerfile's own default).
 */
export async function nodeImageArg(): Promise<string | undefined> {
  if (process.env.PORTICO_NODE_IMAGE) return process.env.PORTICO_NODE_IMAGE;
  return (await imageExists(LOCAL_NODE_IMAGE)) ? LOCAL_NODE_IMAGE : undefined;
}

export async function imageExists(ref: string): Promise<boolean> {
  return docker(['image', 'inspect', '--format', '{{.Id}}', ref]).then(
    () => true,
    () => false,
  );
}

/** `docker build`; NODE_IMAGE defaults to nodeImageArg(). Resolves with the image id. */
export async function buildImage(o: BuildOptions): Promise<string> {
  const buildArgs: Record<string, string> = { ...o.buildArgs };
  const nodeImage = buildArgs.NODE_IMAGE ?? (await nodeImageArg());
  if (nodeImage) buildArgs.NODE_IMAGE = nodeImage;
  const args = ['build', '--network', o.network ?? 'host', '-f', path.resolve(REPO_ROOT, o.dockerfile), '-t', o.tag];
  for (const [k, v] of Object.entries(buildArgs)) args.push('--build-arg', `${k}=${v}`);
  args.push(o.context ?? REPO_ROOT);
  await docker(args, { timeoutMs: o.timeoutMs ?? 300_000 });
  return docker(['image', 'inspect', '--format', '{{.Id}}', o.tag]);
}

export interface ImageInfo {
  id: string;
  size: number;
  user: string;
  cmd: string[] | null;
  entrypoint: string[] | null;
  exposedPorts: string[];
  env: string[];
  healthcheck: string[] | null;
}

export async function inspectImage(ref: string): Promise<ImageInfo> {
  const [raw] = JSON.parse(await docker(['image', 'inspect', ref])) as {
    Id: string;
    Size: number;
    Config: { User: string; Cmd: string[] | null; Entrypoint: string[] | null; ExposedPorts?: Record<string, unknown>; Env?: string[]; Healthcheck?: { Test: string[] } };
  }[];
  return {
    id: raw.Id,
    size: raw.Size,
    user: raw.Config.User,
    cmd: raw.Config.Cmd,
    entrypoint: raw.Config.Entrypoint,
    exposedPorts: Object.keys(raw.Config.ExposedPorts ?? {}),
    env: raw.Config.Env ?? [],
    healthcheck: raw.Config.Healthcheck?.Test ?? null,
  };
}

// ---- containers and networks, cleaned up together

export interface RunOptions {
  image: string;
  /** suffix of the container name; the sandbox prefixes it to keep names unique */
  name?: string;
  network?: string;
  /** DNS names of the container on its network (e.g. 'app-1'), unique per sandbox network */
  aliases?: string[];
  env?: Record<string, string>;
  /** container ports to publish, each on 127.0.0.1 and a free host port (see hostPort()) */
  publish?: number[];
  mounts?: { source: string; target: string; readOnly?: boolean }[];
  /** e.g. '1s': run the image's HEALTHCHECK more often than it says, so tests wait less */
  healthInterval?: string;
  /** extra `docker run` flags, before the image */
  flags?: string[];
  /** command and arguments, after the image */
  command?: string[];
}

/**
 * Creates containers and networks with unique names and a common label, and removes all of them
 * in dispose() (call it in afterAll: it never throws, so it also runs after a failed test).
 */
export class DockerSandbox {
  readonly id: string;
  readonly #containers: string[] = [];
  readonly #networks: string[] = [];

  constructor(prefix = 'portico-test') {
    this.id = `${prefix}-${randomBytes(3).toString('hex')}`;
  }

  /** A unique name for a resource of this sandbox. */
  name(suffix: string): string {
    return `${this.id}-${suffix}`;
  }

  /** A user-defined bridge network (container DNS by name and alias). Resolves with its name. */
  async createNetwork(suffix = 'net'): Promise<string> {
    const name = this.name(suffix);
    this.#networks.push(name);
    await docker(['network', 'create', '--driver', 'bridge', '--label', `${TEST_LABEL}=${this.id}`, name]);
    return name;
  }

  /** `docker run -d`; resolves with the container name. */
  async run(o: RunOptions): Promise<string> {
    const name = this.name(o.name ?? `c${this.#containers.length + 1}`);
    this.#containers.push(name);
    const args = ['run', '-d', '--name', name, '--label', `${TEST_LABEL}=${this.id}`];
    if (o.network) args.push('--network', o.network);
    for (const alias of o.aliases ?? []) args.push('--network-alias', alias);
    for (const [k, v] of Object.entries(o.env ?? {})) args.push('-e', `${k}=${v}`);
    for (const port of o.publish ?? []) args.push('-p', `127.0.0.1::${port}`);
    for (const m of o.mounts ?? []) args.push('-v', `${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`);
    if (o.healthInterval) args.push('--health-interval', o.healthInterval);
    args.push(...(o.flags ?? []), o.image, ...(o.command ?? []));
    await docker(args);
    return name;
  }

  /** The 127.0.0.1 port a published container port landed on. */
  async hostPort(container: string, containerPort: number): Promise<number> {
    const out = await docker(['port', container, `${containerPort}/tcp`]);
    const line = out.split('\n').find((l) => l.startsWith('127.0.0.1:'));
    if (!line) throw new Error(`${container}: port ${containerPort} is not published on 127.0.0.1 (${out})`);
    return Number(line.slice(line.lastIndexOf(':') + 1));
  }

  /** Waits for the container's HEALTHCHECK to say healthy; throws with its logs if it stops or times out. */
  async waitHealthy(container: string, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      async () => {
        const [status, health] = (await docker(['inspect', '--format', '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}', container])).split(' ');
        if (status !== 'running') throw new Error(`${container} is ${status}:\n${await this.logs(container)}`);
        return health === 'healthy';
      },
      { timeoutMs, what: `${container} healthy`, describe: () => this.logs(container) },
    );
  }

  /** stdout and stderr of a container, for failure messages. */
  logs(container: string): Promise<string> {
    return docker(['logs', '--tail', '50', container]).catch((e: Error) => `(no logs: ${e.message})`);
  }

  /** Removes every container, then every network this sandbox created. Never throws. */
  async dispose(): Promise<void> {
    const containers = this.#containers.splice(0);
    if (containers.length) await docker(['rm', '-f', '-v', ...containers]).catch(() => undefined);
    for (const net of this.#networks.splice(0).reverse()) await docker(['network', 'rm', net]).catch(() => undefined);
  }
}

/**
 * Polls `check` until it returns true (errors it throws end the wait at once), or throws after
 * timeoutMs with `what` and, if given, describe()'s output.
 */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  o: { timeoutMs: number; intervalMs?: number; what: string; describe?: () => Promise<string> | string },
): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= deadline) {
      const detail = o.describe ? `\n${await o.describe()}` : '';
      throw new Error(`timed out after ${o.timeoutMs} ms waiting for ${o.what}${detail}`);
    }
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 250));
  }
}
