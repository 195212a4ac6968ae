// What a target is: something that answers GET /1k and /64k on a loopback port (over TLS for the
// h2load targets), or echoes WebSocket messages (load-kind.ts says which).
import type { Managed } from '../procs';
import type { Settings, TargetName } from '../settings';

export interface TargetContext {
  repoRoot: string;
  /** The run's mkdtemp folder, for configs and logs. */
  dir: string;
  backendPort: number;
  /** The WebSocket echo backend (servers/ws-echo.ts); started only when a ws target is selected. */
  wsBackendPort?: number;
  settings: Settings;
}

export interface RunningTarget {
  name: TargetName;
  /** How it appears in tables, e.g. "nginx 1.22.1". */
  label: string;
  port: number;
  /** The proxy process whose CPU time (with its children) is measured; absent for direct. */
  proc?: Managed;
  /** Headers wrk sends with every request (e.g. a sticky cookie). */
  headers?: string[];
}

export type StartTarget = (ctx: TargetContext) => Promise<RunningTarget>;
