// What no mock can show: the containers the plan describes, built from the repo's Dockerfiles and
// started with the docker CLI exactly as dockerRunArgs renders them (same names, env, network,
// config file as `pulumi up` would create), serve traffic through the proxy to every instance,
// over HTTP and over HTTPS (h2) with the stack's certificate.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureLocalCertificates, type LocalCertificates } from '../../infra/local/local-ca';
import {
  dockerConnectArgs,
  dockerContainers,
  dockerRunArgs,
  DOCKERFILES,
  LABELS,
  planStack,
  type ContainerRole,
  type ContainerSpec,
  type StackPlan,
  writeContainerFiles,
} from '../../infra/plan';
import { buildImage, describeWithDocker, docker, LOCAL_NODE_IMAGE, waitFor } from '../helpers/docker';
import { freePort } from '../helpers/free-port';

ensureDockerEngine();

const INSTANCES = 3;

describeWithDocker('a docker stack run from its plan', () => {
  const stackName = `portico-plan-${randomBytes(3).toString('hex')}`;
  const images: Record<ContainerRole, string> = { proxy: `${stackName}-proxy:test`, app: `${stackName}-app:test` };
  const filesDir = mkdtempSync(path.join(os.tmpdir(), `${stackName}-`));
  let plan: StackPlan;
  /** The stack's CA and its certificate for localhost (what the Certificate component makes under Pulumi). */
  let tls: LocalCertificates;
  let specs: ContainerSpec[];
  // What `pulumi up` makes with RandomPassword resources; the CLI gets them as values.
  const secrets = { PORTICO_STICKY_KEY: randomBytes(24).toString('hex'), PORTICO_ADMIN_TOKEN: randomBytes(24).toString('hex') };

  beforeAll(async () => {
    plan = planStack({ stackName, target: 'docker', instances: INSTANCES, httpPort: await freePort(), httpsPort: await freePort(), adminPort: await freePort(), publishHost: '127.0.0.1' });
    specs = dockerContainers(plan);
    tls = await ensureLocalCertificates(path.join(filesDir, 'ca'));
    const supplied = { certificate: readFileSync(tls.certFile, 'utf8'), certificateKey: readFileSync(tls.keyFile, 'utf8') };
    // Sequential builds share the npm ci layer; NODE_IMAGE as TESTING.md says for this offline engine.
    for (const role of ['proxy', 'app'] as const) {
      await buildImage({ dockerfile: DOCKERFILES[role], tag: images[role], buildArgs: { NODE_IMAGE: LOCAL_NODE_IMAGE }, network: 'host' });
    }
    // As the docker target makes them: the apps' network internal, the proxy's edge network not.
    await docker(['network', 'create', '--driver', 'bridge', '--internal', '--label', `${LABELS.stack}=${stackName}`, plan.network!]);
    await docker(['network', 'create', '--driver', 'bridge', '--label', `${LABELS.stack}=${stackName}`, plan.edgeNetwork!]);
    for (const spec of specs) {
      // Owned by this (root) user with the spec's modes, as the provider's uploads are: root:root.
      writeContainerFiles(spec, filesDir, supplied);
      // One network: `run`. More: `create`, connect the others, then `start` (what the provider does).
      await docker(dockerRunArgs(spec, images[spec.role], { filesDir, secrets }));
      for (const connect of dockerConnectArgs(spec)) await docker(connect);
      if (spec.networks.length > 1) await docker(['start', spec.name]);
    }
  }, 600_000);

  afterAll(async () => {
    // Everything this test created carries the stack label; remove it even after a failure.
    const ids = await docker(['ps', '-aq', '--filter', `label=${LABELS.stack}=${stackName}`]).catch(() => '');
    if (ids) await docker(['rm', '-f', '-v', ...ids.split('\n')]).catch(() => undefined);
    await docker(['network', 'rm', `${stackName}-net`, `${stackName}-edge`]).catch(() => undefined);
    await docker(['image', 'rm', images.proxy, images.app]).catch(() => undefined);
    rmSync(filesDir, { recursive: true, force: true });
  }, 60_000);

  test('runs exactly the containers of the plan: the apps on the internal network only, the proxy on both', async () => {
    const running = await docker(['ps', '--filter', `label=${LABELS.stack}=${stackName}`, '--format', '{{.Names}}']);
    expect(running.split('\n').sort()).toEqual([...plan.apps.map((a) => a.name), plan.proxy.name].sort());
    const members = async (network: string) => (await docker(['network', 'inspect', network, '--format', '{{range .Containers}}{{.Name}} {{end}}'])).trim().split(' ').sort();
    expect(await members(plan.network!)).toEqual(specs.map((s) => s.name).sort());
    expect(await members(plan.edgeNetwork!)).toEqual([plan.proxy.name]);
    expect(await docker(['network', 'inspect', plan.network!, '--format', '{{.Internal}}'])).toBe('true');
  });

  test('balances HTTP traffic through the published proxy port over every instance', async () => {
    const url = `http://127.0.0.1:${plan.proxy.publish.http}/healthz`;
    // Short attempts: until the proxy listens, Docker's port forwarder accepts and closes the
    // connection, and Node 20's fetch then never settles on its own (measured here).
    await waitFor(async () => (await get(url, 1_000).catch(() => null))?.status === 200, {
      timeoutMs: 30_000,
      what: `${url} to answer 200 through the proxy`,
      describe: () => docker(['logs', '--tail', '30', plan.proxy.name]).catch((e: Error) => e.message),
    });
    const seen = new Map<string, number>();
    for (let i = 0; i < INSTANCES * 4; i++) {
      const res = await get(url);
      expect(res.status).toBe(200);
      expect(res.headers['x-powered-by']).toBeUndefined();
      const instance = res.headers['x-instance'] ?? '(none)';
      seen.set(instance, (seen.get(instance) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual(plan.apps.map((a) => a.id).sort());
  }, 60_000);

  test('serves HTTPS with the stack\'s certificate on the published port, h2 offered, verified against the stack\'s CA', async () => {
    const port = plan.proxy.publish.https;
    const curl = (...args: string[]) =>
      execFileSync('curl', ['-sS', '--max-time', '5', '--cacert', tls.caFile, '--resolve', `localhost:${port}:127.0.0.1`, ...args], { stdio: 'pipe' }).toString();
    const answers200 = () => {
      try {
        return curl('-o', '/dev/null', '-w', '%{http_code}', `https://localhost:${port}/healthz`) === '200';
      } catch {
        return false;
      }
    };
    await waitFor(answers200, {
      timeoutMs: 30_000,
      what: `https://localhost:${port}/healthz to answer 200 through the proxy`,
      describe: () => docker(['logs', '--tail', '30', plan.proxy.name]).catch((e: Error) => e.message),
    });
    const [version, status, instance] = curl('--http2', '-o', '/dev/null', '-w', '%{http_version} %{http_code} %header{x-instance}', `https://localhost:${port}/api/whoami`).split(' ');
    expect([version, status]).toEqual(['2', '200']);
    expect(plan.apps.map((a) => a.id)).toContain(instance);
    expect(curl('--http1.1', '-o', '/dev/null', '-w', '%{http_version}', `https://localhost:${port}/healthz`)).toBe('1.1');
  }, 60_000);

  test('keeps the key out of reach of other users in the proxy container, which runs as node', async () => {
    const inProxy = (code: string) => docker(['exec', plan.proxy.name, 'node', '-e', code]);
    expect(await inProxy("const s = require('fs').statSync('/etc/portico/tls/key.pem'); console.log((s.mode & 0o777).toString(8), s.uid, s.gid)")).toBe('640 0 0');
    expect(await inProxy("console.log(process.getuid() === 0 ? 'root' : require('os').userInfo().username)")).toBe('node');
  });

  test('keeps a client on one instance with the sticky cookie', async () => {
    const url = `http://127.0.0.1:${plan.proxy.publish.http}/api/whoami`;
    const first = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    const cookie = first.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const home = ((await first.json()) as { instance: string }).instance;
    const counters: number[] = [];
    for (let i = 0; i < INSTANCES * 2; i++) {
      const res = await fetch(url, { headers: { cookie }, signal: AbortSignal.timeout(5_000) });
      const me = (await res.json()) as { instance: string; counter: number };
      expect(me.instance).toBe(home);
      counters.push(me.counter);
    }
    expect(counters).toEqual(Array.from({ length: INSTANCES * 2 }, (_, i) => i + 2));
  }, 30_000);

  test('serves the admin API on the published loopback port, to the token only', async () => {
    const status = `${plan.proxy.admin.url}api/status`;
    const denied = await fetch(status, { signal: AbortSignal.timeout(5_000) });
    expect(denied.status).toBe(401);
    const res = await fetch(status, { headers: { authorization: `Bearer ${secrets.PORTICO_ADMIN_TOKEN}` }, signal: AbortSignal.timeout(5_000) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { upstreams: Record<string, { servers: { id: string; state: string }[] }> };
    expect(body.upstreams.app.servers.map((s) => [s.id, s.state])).toEqual(plan.apps.map((a) => [a.id, 'up']));
  }, 30_000);

  test('every container passes the healthcheck the plan gave it', async () => {
    for (const spec of specs) {
      await waitFor(async () => (await docker(['inspect', '--format', '{{.State.Health.Status}}', spec.name])) === 'healthy', {
        timeoutMs: 45_000,
        intervalMs: 500,
        what: `${spec.name} healthy`,
        describe: () => docker(['inspect', '--format', '{{json .State.Health}}', spec.name]),
      });
    }
  }, 120_000);
});

/**
 * TESTING.md: nothing starts dockerd by itself. Run the idempotent setup script when no engine
 * answers and the script is there (it needs root); describeWithDocker then skips or fails.
 */
function ensureDockerEngine(): void {
  const script = '/work/shared/tools/ensure-docker.sh';
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 15_000 });
  } catch {
    try {
      execFileSync('bash', [script], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
    } catch (err) {
      process.stderr.write(`[docker-plan] ${script} failed: ${(err as Error).message.split('\n')[0]}\n`);
    }
  }
}

/** One bounded GET, body read to the end (status and headers are what the test looks at). */
async function get(url: string, timeoutMs = 5_000): Promise<{ status: number; headers: Record<string, string> }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await res.arrayBuffer();
  return { status: res.status, headers: Object.fromEntries(res.headers) };
}

/** A port free on 127.0.0.1 now, for the proxy's published HTTP port. */
