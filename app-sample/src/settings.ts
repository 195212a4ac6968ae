// The process's settings, read once from the environment (12-factor), with the defaults in one place.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { resolvePublicDir } from './static-dirs';

export interface Settings {
  port: number;
  host: string;
  instanceId: string;
  publicDir: string;
  /** Signs the session cookie. Random per process unless given: sessions live in memory anyway. */
  sessionSecret: string;
  /** Readiness stays 503 this long after listening (a warm-up a balancer must wait for). */
  startupDelayMs: number;
  /** On SIGTERM, keep serving this long with readiness 503 so balancers stop sending first. */
  shutdownDelayMs: number;
  /** The bound on a graceful shutdown; after it every connection is cut and the process exits 0. */
  shutdownTimeoutMs: number;
  /** One log line per request when true (off by default: benchmarks). */
  accessLog: boolean;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const port = intFrom(env, 'PORT', 3000, 0, 65535);
  return {
    port,
    host: env.HOST || '0.0.0.0',
    instanceId: env.INSTANCE_ID || `${hostname()}-${port}`,
    publicDir: resolvePublicDir(env),
    sessionSecret: env.SESSION_SECRET || randomBytes(32).toString('hex'),
    startupDelayMs: intFrom(env, 'STARTUP_DELAY_MS', 0, 0),
    shutdownDelayMs: intFrom(env, 'SHUTDOWN_DELAY_MS', 0, 0),
    shutdownTimeoutMs: intFrom(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0),
    accessLog: /^(1|true|yes|on)$/i.test(env.ACCESS_LOG ?? ''),
  };
}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer in ${min}..${max}, got "${raw}"`);
  return n;
}
