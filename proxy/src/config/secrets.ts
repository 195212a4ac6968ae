// Secrets a config may leave out of the file: the admin token (config, token file, or env
// PORTICO_ADMIN_TOKEN) and the sticky cookie key (config, or env PORTICO_STICKY_KEY, or a random key
// made once per process, so reloads keep honouring the cookies it signed).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConfigIssue } from './config-error';
import type { ProxyConfig } from './schema';

export interface Secrets {
  adminToken: string | null;
  stickyKey: string;
}

let processStickyKey: string | null = null;

/** Reads the secrets; `issues` names a token file that cannot be read or is too short. */
export function resolveSecrets(config: ProxyConfig, env: NodeJS.ProcessEnv, issues: ConfigIssue[]): Secrets {
  let adminToken = config.admin?.token ?? null;
  const file = config.admin?.tokenFile;
  if (adminToken === null && file !== undefined) {
    try {
      adminToken = readFileSync(file, 'utf8').trim();
      if (adminToken.length < 16) issues.push({ path: 'admin.tokenFile', message: `${file}: token must be at least 16 characters` });
    } catch (err) {
      issues.push({ path: 'admin.tokenFile', message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}` });
    }
  }
  if (adminToken === null && env.PORTICO_ADMIN_TOKEN) {
    adminToken = env.PORTICO_ADMIN_TOKEN;
    if (adminToken.length < 16) issues.push({ path: 'env PORTICO_ADMIN_TOKEN', message: 'token must be at least 16 characters' });
  }
  const envKey = env.PORTICO_STICKY_KEY;
  if (envKey !== undefined && envKey.length < 16) issues.push({ path: 'env PORTICO_STICKY_KEY', message: 'key must be at least 16 characters' });
  processStickyKey ??= randomBytes(32).toString('base64url');
  return { adminToken, stickyKey: envKey && envKey.length >= 16 ? envKey : processStickyKey };
}
