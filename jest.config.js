// Two projects: `unit` (fast, every run of `npm test`) and `system` (real external programs:
// Docker, nginx...; `npm run test:system`). Both run in CI.
const transform = { '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
const common = { testEnvironment: 'node', transform, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/{proxy,infra,app-sample,local,bench}/**/*.test.ts'] },
    { ...common, displayName: 'system', testMatch: ['<rootDir>/test/system/**/*.test.ts'] },
  ],
};
