// The bench's knobs, read once from the environment (see bench/README.md).
export const ALL_TARGETS = [
  'direct',
  'portico',
  'portico-sticky',
  'portico-health',
  'nginx',
  'haproxy',
  'fastify',
  'portico-cache',
  // The same cache HIT with node:http reading the clients' HTTP/1.1 (PORTICO_HTTP1_SERVER=node).
  'portico-cache-node-http',
  'nginx-cache',
  'portico-static',
  'nginx-static',
  // The Node floor (targets/node-reference.ts): Node's server API answering from memory, no proxy work.
  'node-http',
  'portico-gzip',
  'nginx-gzip',
  // Over TLS, loaded by h2load (load-kind.ts): HTTP/1.1 (--h1) and h2, same certificate.
  'portico-https',
  'nginx-https',
  'node-https',
  'portico-h2',
  'nginx-h2',
  'node-h2',
  // WebSocket echo, loaded by ws-load.ts.
  'direct-ws',
  'portico-ws',
  'nginx-ws',
] as const;
export type TargetName = (typeof ALL_TARGETS)[number];

export const ALL_BODIES = ['1k', '64k'] as const;
export type BodyName = (typeof ALL_BODIES)[number];

export const BODY_BYTES: Record<BodyName, number> = { '1k': 1024, '64k': 65536 };

export interface Settings {
  reps: number;
  durationS: number;
  warmupS: number;
  connections: number;
  targets: TargetName[];
  bodies: BodyName[];
  /** Build dist/portico-proxy.js before running (BENCH_BUILD=0 to use the existing bundle). */
  build: boolean;
  /** Extra node flags for the Portico process, split on whitespace. */
  porticoNodeFlags: string[];
  /**
   * The node binary for the proxies written in Node (Portico, fastify) and the Node floor; the
   * backend, echo server and load clients keep the bench's own node.
   */
  proxyNode: string;
  /** CPU the proxy under test is pinned to; wrk and the backend share the other one. */
  proxyCpu: string;
  loadCpu: string;
  /** Before each run, wait up to quietMaxS seconds for other processes to use < quietPct of a core. */
  quietPct: number;
  quietMaxS: number;
  /** WebSocket runs: each connection stops after this many messages (or at the run's end). */
  wsMessages: number;
}

export function readSettings(env: NodeJS.ProcessEnv): Settings {
  return {
    reps: int(env, 'BENCH_REPS', 5, 1),
    durationS: int(env, 'BENCH_DURATION', 8, 1),
    warmupS: int(env, 'BENCH_WARMUP', 2, 0),
    connections: int(env, 'BENCH_CONNECTIONS', 50, 1),
    targets: list(env, 'BENCH_TARGETS', ALL_TARGETS),
    bodies: list(env, 'BENCH_BODIES', ALL_BODIES),
    build: env.BENCH_BUILD !== '0',
    porticoNodeFlags: (env.PORTICO_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean),
    proxyNode: env.BENCH_NODE || process.execPath,
    proxyCpu: env.BENCH_PROXY_CPU ?? '0',
    loadCpu: env.BENCH_LOAD_CPU ?? '1',
    quietPct: int(env, 'BENCH_QUIET_PCT', 20, 1),
    quietMaxS: int(env, 'BENCH_QUIET_MAX', 20, 0),
    wsMessages: int(env, 'BENCH_WS_MESSAGES', 1_000_000, 1),
  };
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number >= ${min}, got "${raw}"`);
  return n;
}

function list<T extends string>(env: NodeJS.ProcessEnv, name: string, all: readonly T[]): T[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [...all];
  const wanted = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((w) => !(all as readonly string[]).includes(w));
  if (unknown.length) throw new Error(`${name}: unknown ${unknown.join(', ')} (choose from ${all.join(', ')})`);
  // Keep the canonical order so tables always read the same way.
  return all.filter((a) => wanted.includes(a));
}
