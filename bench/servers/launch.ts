// Runs one of the bench's TypeScript servers in its own Node process (tsx loader), pinned, logged,
// and waited for until it listens.
import path from 'node:path';
import { waitForPort } from '../net';
import { start, type Managed } from '../procs';

export function tsServerArgs(repoRoot: string, file: string, args: (string | number)[]): string[] {
  return ['--import', 'tsx', path.join(repoRoot, 'bench', 'servers', file), ...args.map(String)];
}

export interface TsServer {
  repoRoot: string;
  /** The run's folder: the log goes to <name>.log there. */
  dir: string;
  name: string;
  /** The file under bench/servers/ and its arguments (the port among them). */
  file: string;
  args: (string | number)[];
  /** Where it listens (on the bench host), awaited before returning. */
  port: number;
  cpu: string;
  /** The node binary (default: the bench's own). */
  node?: string;
}

export async function startTsServer(s: TsServer): Promise<Managed> {
  const proc = start(s.name, s.node ?? process.execPath, tsServerArgs(s.repoRoot, s.file, s.args), {
    cpu: s.cpu,
    cwd: s.repoRoot,
    logFile: path.join(s.dir, `${s.name}.log`),
  });
  await waitForPort(s.port, proc);
  return proc;
}
