// `npm start` flags and environment: --instances, --http-port, --https-port, --app-port, --admin-port.
import { parseArgs } from 'node:util';
import { defaultCaDir } from './local-ca';

export interface LocalOptions {
  /** Explicit instance count; absent: one per core (sizeToCores). */
  instances?: number;
  httpPort: number;
  httpsPort: number;
  /** Instance i listens on appPort + i. */
  appPort: number;
  /** The proxy's admin listener (dashboard, status JSON, metrics) on 127.0.0.1; absent: 9901. */
  adminPort?: number;
  /** Where the local CA and the localhost certificate live (made at the first start, then reused). */
  caDir: string;
}

export const LOCAL_USAGE = 'usage: npm start -- [--instances N] [--http-port P] [--https-port P] [--app-port P] [--admin-port P]   (env: PORTICO_INSTANCES, PORTICO_HTTP_PORT, PORTICO_HTTPS_PORT, PORTICO_APP_PORT, PORTICO_ADMIN_PORT)';

export class OptionsError extends Error {}

export function parseLocalOptions(argv: string[], env: NodeJS.ProcessEnv): LocalOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        instances: { type: 'string', short: 'n' },
        'http-port': { type: 'string' },
        'https-port': { type: 'string' },
        'app-port': { type: 'string' },
        'admin-port': { type: 'string' },
      },
      strict: true,
    }));
  } catch (err) {
    throw new OptionsError(`${(err as Error).message}\n${LOCAL_USAGE}`);
  }
  const instances = values.instances ?? env.PORTICO_INSTANCES;
  return {
    instances: instances === undefined || instances === '' ? undefined : whole('--instances', instances, 1, 64),
    httpPort: whole('--http-port', values['http-port'] ?? env.PORTICO_HTTP_PORT ?? '8080', 1, 65535),
    httpsPort: whole('--https-port', values['https-port'] ?? env.PORTICO_HTTPS_PORT ?? '8443', 1, 65535),
    appPort: whole('--app-port', values['app-port'] ?? env.PORTICO_APP_PORT ?? '3001', 1, 65535),
    adminPort: whole('--admin-port', values['admin-port'] ?? env.PORTICO_ADMIN_PORT ?? '9901', 1, 65535),
    caDir: defaultCaDir(env),
  };
}

function whole(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new OptionsError(`${flag} must be a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}
