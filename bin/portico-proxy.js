#!/usr/bin/env node
// The `portico-proxy` command: runs the bundled proxy (built by `npm run build`).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'dist', 'portico-proxy.js');
if (!existsSync(bundle)) {
  process.stderr.write(`portico-proxy: missing build ${bundle}; run \`npm run build\`\n`);
  process.exit(1);
}
require(bundle);
