// Projects: `unit` (fast, every run of `npm test`), `unit-undici` (the client-facing proxy tests
// again, on the fallback upstream client; also in `npm test`), `unit-node-http` (the server-facing
// ones again, with node:http reading clients' HTTP/1.1 instead of the native server; also in
// `npm test`) and `system` (real external programs: Docker, nginx...; `npm run test:system`). All
// run in CI.
const transform = { '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
const common = { testEnvironment: 'node', transform, moduleFileExtensions: ['ts', 'js', 'json'] };
const serverTests = [
  'http1-server',
  'http1-server-hostile',
  'http1-server-connections',
  'hostile-inputs',
  'hostile-peers',
  'client-behaviour',
  'client-idle',
  'forwarding',
  'streaming',
  'timeouts',
  'websocket',
  'upgrades',
  'drain',
  'compress-streaming',
  'cache-lock',
  'static-files',
  'tls-listener',
  'h2-forwarding',
];
const clientTests = ['h1-client', 'streaming', 'timeouts', 'retries', 'forwarding', 'websocket', 'upgrades', 'client-behaviour', 'passive-health', 'hostile-peers', 'upstream-client-*'];

module.exports = {
  // A worker's heap grows by tens of MB per test file (and by a GB in infra's schema tests); past
  // this it is replaced, so the tests that force GCs do not pay for a heap of leftovers (one took
  // 72 s in npm test against 6 s alone).
  workerIdleMemoryLimit: '512MB',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/{proxy,infra,app-sample,local,bench,policy,ci}/**/*.test.ts'] },
    {
      ...common,
      displayName: 'unit-undici',
      setupFiles: ['<rootDir>/test/setup/undici-client.ts'],
      testMatch: clientTests.map((name) => `<rootDir>/test/proxy/${name}.test.ts`),
    },
    {
      ...common,
      displayName: 'unit-node-http',
      setupFiles: ['<rootDir>/test/setup/node-http-server.ts'],
      testMatch: serverTests.map((name) => `<rootDir>/test/proxy/${name}.test.ts`),
    },
    { ...common, displayName: 'system', testMatch: ['<rootDir>/test/system/**/*.test.ts'] },
  ],
};
