import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout (12-factor); `PORTICO_LOG_PRETTY` is not bundled: pipe to pino-pretty if wanted. */
export function createLogger(level: string = process.env.PORTICO_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { svc: 'portico-proxy' }, timestamp: pino.stdTimeFunctions.isoTime });
}
