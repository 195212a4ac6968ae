// Reading a config file: parse (JSON or YAML by extension), validate, normalize.
// Throws ConfigError naming every problem; never returns a half-valid config.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ConfigError, type ConfigIssue } from './config-error';
import { normalizeConfig } from './normalize';
import type { ResolvedConfig } from './resolved';
import type { ProxyConfig } from './schema';
import { resolveSecrets } from './secrets';
import { loadListenerCertificates } from './tls-files';
import { schemaIssues, semanticIssues } from './validate';

export async function loadConfigFile(file: string): Promise<ResolvedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ path: '', message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? err}` }]);
  }
  return parseConfig(text, file);
}

export function parseConfig(text: string, source = 'config'): ResolvedConfig {
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(source) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new ConfigError(source, [{ path: '', message: `cannot parse: ${(err as Error).message}` }]);
  }
  return resolveConfig(value, source);
}

/**
 * Validates a config value (from a file, or built in code by infra/) and normalizes it. Secrets
 * the file leaves out come from `env` (PORTICO_ADMIN_TOKEN, PORTICO_STICKY_KEY).
 */
export function resolveConfig(value: unknown, source = 'config', env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  const shape = schemaIssues(value);
  if (shape.length) throw new ConfigError(source, shape);
  const meaning = semanticIssues(value as ProxyConfig);
  if (meaning.length) throw new ConfigError(source, meaning);
  const secretIssues: ConfigIssue[] = [];
  const secrets = resolveSecrets(value as ProxyConfig, env, secretIssues);
  const certificates = loadListenerCertificates(value as ProxyConfig, secretIssues);
  if (secretIssues.length) throw new ConfigError(source, secretIssues);
  return normalizeConfig(value as ProxyConfig, secrets, certificates);
}

/** The list of problems, empty when valid: for infra/ and tests that check a config without loading it. */
export function configIssues(value: unknown): string[] {
  const shape = schemaIssues(value);
  const issues = shape.length ? shape : semanticIssues(value as ProxyConfig);
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
}
