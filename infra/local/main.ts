// `npm start`: the whole stack on this machine, no Docker, cloud or Pulumi CLI needed.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { OptionsError, parseLocalOptions } from './options';
import { answers200 } from './readiness';
import { startLocalStack, type LocalStack } from './stack';
import { trustInstructions } from './trust-instructions';

/** dist/local-stack.js when bundled, infra/local/main.ts from source: both find the repo root. */
const ROOT = existsSync(join(__dirname, '..', 'package.json')) ? join(__dirname, '..') : join(__dirname, '..', '..');

async function main(): Promise<number> {
  const write = (line: string) => process.stdout.write(`${line}\n`);
  let stack: LocalStack;
  try {
    const options = parseLocalOptions(process.argv.slice(2), process.env);
    stack = await startLocalStack(options, { root: ROOT, write });
  } catch (err) {
    process.stderr.write(`portico: ${(err as Error).message}\n`);
    return err instanceof OptionsError ? 2 : 1;
  }
  await printSummary(stack, write);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      write(`\n${signal}: stopping the proxy and ${stack.apps.length} app instances...`);
      stack.stop().then(
        () => {
          write('stopped.');
          resolve(0);
        },
        () => resolve(1),
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}

/** Wide enough for "dashboard" and app ids up to app-64. */
const LABEL_WIDTH = 9;

async function printSummary(stack: LocalStack, write: (line: string) => void): Promise<void> {
  const { plan } = stack;
  const health = await Promise.all(plan.apps.map((a) => answers200(`http://127.0.0.1:${a.port}/readyz`)));
  write('');
  write(`Portico is running: ${plan.apps.length} app instance${plan.apps.length === 1 ? '' : 's'} behind the proxy`);
  const label = (text: string) => `  ${text.padEnd(LABEL_WIDTH)} `;
  for (const url of [...plan.httpsUrls, ...plan.urls]) write(`${label('open')}${url}`);
  write(`${label('proxy')}http://127.0.0.1:${plan.proxy.publish.http}  https://127.0.0.1:${plan.proxy.publish.https}  (h2 and HTTP/1.1)`);
  write(`${label('local CA')}${stack.certificates.caFile}${stack.certificates.createdCa ? '' : '  (made at an earlier start: trust it once, see README)'}`);
  write(`${label('dashboard')}${plan.proxy.admin.url}  (status JSON: api/status, Prometheus: metrics)`);
  plan.apps.forEach((a, i) => write(`${label(a.id)}http://${a.address}  ${health[i] ? 'ready' : 'NOT READY'}`));
  if (stack.certificates.createdCa) {
    write('');
    for (const line of trustInstructions(stack.certificates.caFile, plan.httpsUrls[0])) write(line);
  }
  write('Ctrl-C stops everything.');
  write('');
}

main().then((code) => process.exit(code));
