// `portico-proxy --config FILE [--check]`: like `nginx -c FILE [-t]`.
import { parseArgs } from 'node:util';

export interface CliOptions {
  config: string;
  check: boolean;
}

export const USAGE = 'usage: portico-proxy --config FILE [--check]   (or set PORTICO_CONFIG=FILE)';

export function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c' },
      check: { type: 'boolean', short: 't', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) throw new UsageError(USAGE);
  const config = values.config ?? env.PORTICO_CONFIG;
  if (!config) throw new UsageError(`no config file given\n${USAGE}`);
  return { config, check: values.check ?? false };
}

export class UsageError extends Error {}
