// Entry point of one sample-app instance (and of its container image). One process, one port:
// run several with different PORT / INSTANCE_ID to have something to balance.
import { createApp } from './app';
import { createLog } from './log';
import { readSettings, type Settings } from './settings';

async function main(): Promise<void> {
  let settings: Settings;
  try {
    settings = readSettings(process.env);
  } catch (err) {
    process.stderr.write(`app-sample: ${(err as Error).message}\n`);
    process.exit(2);
  }
  const log = createLog(settings.instanceId);
  const app = createApp({
    instanceId: settings.instanceId,
    publicDir: settings.publicDir,
    sessionSecret: settings.sessionSecret,
    startupDelayMs: settings.startupDelayMs,
    accessLog: settings.accessLog,
    log,
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return log('signal ignored, already stopping', { signal });
    stopping = true;
    log('shutdown requested', { signal });
    // a last resort should close() itself ever hang: the bound is a promise to the orchestrator
    setTimeout(() => {
      log('exit', { code: 0, reason: 'shutdown bound exceeded' });
      process.exit(0);
    }, settings.shutdownTimeoutMs + 1000).unref();
    app.close({ delayMs: settings.shutdownDelayMs, timeoutMs: settings.shutdownTimeoutMs }).then(
      () => {
        log('exit', { code: 0 });
        process.exit(0);
      },
      (err: Error) => {
        log('exit', { code: 1, error: err.message });
        process.exit(1);
      },
    );
  };
  // before listening: a signal that comes early must still get the graceful path
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  try {
    await app.listen(settings.port, settings.host);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    log('cannot listen', { addr: `${settings.host}:${settings.port}`, error: e.code ?? e.message });
    process.exit(1);
  }
}

main().catch((err: Error) => {
  process.stderr.write(`app-sample: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
