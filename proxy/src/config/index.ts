export * from './schema';
export type * from './resolved';
export { ConfigError, type ConfigIssue } from './config-error';
export { loadConfigFile, parseConfig, resolveConfig, configIssues } from './load';
