// A disk tier whose directory cannot be created or written is refused at start and on reload
// (the running config stays), with the field named, rather than failing every write later.
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from '../config/config-error';
import type { ResolvedConfig } from '../config/resolved';
import { tempFileName } from './entry-file';

export async function checkCacheDirectories(config: ResolvedConfig): Promise<void> {
  const issues: ConfigIssue[] = [];
  const owners = new Map<string, string>();
  for (const [name, zone] of config.caches) {
    if (zone.disk === null) continue;
    const path = `caches.${name}.disk.path`;
    const dir = resolve(zone.disk.path);
    const other = owners.get(dir);
    if (other !== undefined) {
      issues.push({ path, message: `${zone.disk.path} is already the directory of cache zone "${other}": each zone needs its own` });
      continue;
    }
    owners.set(dir, name);
    const problem = await writeProblem(dir);
    if (problem !== null) issues.push({ path, message: `cannot use ${zone.disk.path} as a cache directory: ${problem}` });
  }
  if (issues.length > 0) throw new ConfigError('cache directories', issues);
}

/** Creates the directory if needed and writes (then removes) a probe file; why not, or null. */
async function writeProblem(dir: string): Promise<string | null> {
  const probe = join(dir, tempFileName());
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, 'probe');
    await unlink(probe);
    return null;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    await unlink(probe).catch(() => undefined);
    return e.code !== undefined ? `${e.code} (${e.message.replace(/^\w+: /, '')})` : e.message;
  }
}
