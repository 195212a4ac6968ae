// This package's root, the build context of its own Dockerfiles: the nearest folder up holding the
// proxy's Dockerfile, so it holds from the sources (infra/…) and from the compiled dist/package
// that `import … from 'portico'` loads (package.json `exports`).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DOCKERFILES } from './docker-containers';

export const PACKAGE_ROOT = packageRoot(__dirname);

function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, DOCKERFILES.proxy))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '../..');
  }
}
