// The local target: the plan rendered as processes on 127.0.0.1 (DESIGN "Where it runs").
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sizeToCores } from '../../proxy/src/cores';
import { planStack, type StackPlan } from '../plan';
import { ensureLocalCertificates, type LocalCertificates } from './local-ca';
import type { LocalOptions } from './options';
import { assertPortsFree } from './ports';
import { SupervisedProcess } from './supervised-process';
import { waitUntilInService, waitUntilReady } from './readiness';

export interface LocalStack {
  plan: StackPlan;
  /** The local CA and the localhost certificate the HTTPS listener serves. */
  certificates: LocalCertificates;
  proxy: SupervisedProcess;
  apps: SupervisedProcess[];
  stop(): Promise<void>;
}

export interface LocalStackEnv {
  /** Where dist/ lives (the repo root). */
  root: string;
  write: (line: string) => void;
}

export async function startLocalStack(options: LocalOptions, env: LocalStackEnv): Promise<LocalStack> {
  const programs = { proxy: join(env.root, 'dist', 'portico-proxy.js'), app: join(env.root, 'dist', 'app-sample.js') };
  for (const file of Object.values(programs)) {
    if (!existsSync(file)) throw new Error(`missing build: ${file}; run \`npm run build\` (npm start does it first)`);
  }
  // Made at the first start, reused after: a browser told once to trust the CA keeps trusting it.
  const certificates = await ensureLocalCertificates(options.caDir);
  const plan = planStack({
    stackName: 'local',
    target: 'local',
    cores: sizeToCores(options.instances),
    httpPort: options.httpPort,
    httpsPort: options.httpsPort,
    appPort: options.appPort,
    ...(options.adminPort !== undefined && { adminPort: options.adminPort }),
    // The proxy serves the sample app's page and assets itself (the app's own copy is the fallback).
    appPublicDir: join(env.root, 'app-sample', 'public'),
    // HTTP stays open beside HTTPS, without a redirect or HSTS (see the plan's httpsRedirect).
    tlsFiles: { cert: certificates.certFile, key: certificates.keyFile },
  });
  await assertPortsFree([
    { port: plan.proxy.publish.http, what: 'proxy http' },
    { port: plan.proxy.publish.https, what: 'proxy https' },
    { port: plan.proxy.admin.listenPort, what: 'proxy admin' },
    ...plan.apps.map((a) => ({ port: a.port, what: `app ${a.id}` })),
  ]);

  const dir = mkdtempSync(join(tmpdir(), 'portico-local-'));
  const configFile = join(dir, 'proxy.json');
  writeFileSync(configFile, `${JSON.stringify(plan.proxy.config, null, 2)}\n`);

  const base = { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development' };
  const apps = plan.apps.map(
    (app) => new SupervisedProcess({ label: app.id, command: process.execPath, args: [programs.app], env: { ...base, ...app.env }, restart: true }, env.write),
  );
  const proxy = new SupervisedProcess(
    { label: 'proxy', command: process.execPath, args: [programs.proxy, '--config', configFile], env: { ...base, ...localSecrets(plan) }, restart: false },
    env.write,
    (_p, code, signal) => env.write(`proxy exited unexpectedly (${signal ?? `code ${code}`}); stop with Ctrl-C and check the lines above`),
  );
  const all = [...apps, proxy];
  const stop = async () => {
    await Promise.all(all.map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const p of all) p.start();
    await waitUntilReady([
      ...plan.apps.map((a) => ({ what: a.id, url: `http://127.0.0.1:${a.port}/readyz` })),
      { what: 'proxy', url: `http://127.0.0.1:${plan.proxy.publish.http}/healthz` },
      // The local certificate names localhost and 127.0.0.1: verified as a browser would.
      { what: 'proxy https', url: `https://127.0.0.1:${plan.proxy.publish.https}/healthz`, ca: readFileSync(certificates.caFile, 'utf8') },
    ]);
    await waitUntilInService(`http://127.0.0.1:${plan.proxy.admin.listenPort}/api/status`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { plan, certificates, proxy, apps, stop };
}

/**
 * The proxy's secrets (the sticky cookie key), made fresh for each `npm start`: cookies from an
 * earlier run then pick an instance anew, which is harmless for a stack whose sessions live in memory.
 */
function localSecrets(plan: StackPlan): Record<string, string> {
  return Object.fromEntries(plan.proxy.secretEnv.map((s) => [s.env, randomBytes(32).toString('base64url')]));
}
