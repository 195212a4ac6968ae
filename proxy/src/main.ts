// Entry point of the proxy process (and of the container image).
import { parseCli, UsageError } from './cli';
import { ConfigError } from './config/config-error';
import { loadConfigFile } from './config/load';
import { createLogger } from './log';
import { PorticoProxy } from './proxy';

async function main(): Promise<number> {
  let options;
  try {
    options = parseCli(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`portico-proxy: ${(err as Error).message}\n`);
    return err instanceof UsageError && /^usage/.test((err as Error).message) ? 0 : 2;
  }
  let config;
  try {
    config = await loadConfigFile(options.config);
  } catch (err) {
    process.stderr.write(`portico-proxy: ${(err as Error).message}\n`);
    return 1;
  }
  if (options.check) {
    process.stdout.write(`portico-proxy: config ${options.config} is valid\n`);
    return 0;
  }

  const logger = createLogger(process.env.PORTICO_LOG_LEVEL ?? config.log.level);
  let proxy: PorticoProxy;
  try {
    proxy = await PorticoProxy.start(config, { logger });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`portico-proxy: ${err.message}\n`);
      return 1;
    }
    const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
    const where = e.port !== undefined ? ` ${e.address}:${e.port}` : '';
    process.stderr.write(`portico-proxy: cannot listen${where}: ${e.code ?? e.message}\n`);
    return 1;
  }
  for (const a of proxy.addresses()) logger.info({ listener: a.name, address: `${a.host}:${a.port}` }, 'listening');
  process.stdout.write(`portico-proxy ready: ${proxy.addresses().map((a) => `${a.scheme ?? 'http'}://${a.host}:${a.port}`).join(' ')}\n`);

  process.on('SIGHUP', () => {
    loadConfigFile(options.config)
      .then((next) => proxy.reload(next))
      .then(() => logger.info({ config: options.config }, 'config reloaded'))
      .catch((err: Error) => {
        const issues = err instanceof ConfigError ? err.issues : undefined;
        logger.error({ config: options.config, error: err.message, issues }, 'reload refused; the running config stays');
      });
  });
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      proxy.close().then(() => resolve(0), () => resolve(1));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`portico-proxy: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(70);
  },
);
