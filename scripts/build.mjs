// Bundles each program into one file under dist/ (esbuild): the images copy these, so their
// runtime stage carries no node_modules and no dev dependencies.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

export const ENTRIES = {
  'portico-proxy': 'proxy/src/main.ts',
  'app-sample': 'app-sample/src/main.ts',
  'local-stack': 'infra/local/main.ts',
};

const only = process.argv.slice(2);
const wanted = Object.entries(ENTRIES).filter(([name]) => only.length === 0 || only.includes(name));
const missing = wanted.filter(([, src]) => !existsSync(src));
if (missing.length) {
  console.error(`build: missing source ${missing.map(([, s]) => s).join(', ')}`);
  process.exit(1);
}
await Promise.all(
  wanted.map(([name, entry]) =>
    build({
      entryPoints: [entry],
      outfile: `dist/${name}.js`,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      sourcemap: 'linked',
      legalComments: 'none',
      logLevel: 'warning',
    }),
  ),
);
console.log(`build: ${wanted.map(([n]) => `dist/${n}.js`).join(' ')}`);
