// The package as another repo loads it: package.json `exports` sends `import … from 'portico'` to
// the compiled dist/package (prepack), so every path the targets derive from their own location
// must hold from there too. Compiled here into a sibling of dist/package (same depth).
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const outDir = path.join(root, 'dist', `package-test-${process.pid}`);

beforeAll(() => {
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.package.json'), '--outDir', outDir, '--sourceMap', 'false'], { cwd: root, stdio: 'pipe' });
}, 180_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

test('the compiled aws target builds the proxy and app-sample from Dockerfiles that exist', () => {
  const images = require(path.join(outDir, 'infra/targets/aws/images.js')) as typeof import('../../infra/targets/aws/images');
  for (const role of ['proxy', 'app'] as const) {
    const build = images.repoBuild(role, undefined);
    expect(existsSync(path.resolve(String(build.context), String(build.dockerfile)))).toBe(true);
  }
});

test('the compiled docker target finds the package root too', () => {
  const docker = require(path.join(outDir, 'infra/targets/docker/images.js')) as typeof import('../../infra/targets/docker/images');
  expect(docker.PACKAGE_ROOT).toBe(root);
});
