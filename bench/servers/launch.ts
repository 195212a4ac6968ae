// Node arguments that run one of the bench's TypeScript servers in its own process (tsx loader).
import path from 'node:path';

export function tsServerArgs(repoRoot: string, file: string, args: (string | number)[]): string[] {
  return ['--import', 'tsx', path.join(repoRoot, 'bench', 'servers', file), ...args.map(String)];
}
