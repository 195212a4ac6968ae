// What the paired targets (Portico and nginx doing the same job) share: the static files, the gzip
// level, and a first request that fills a cache before the timed runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { textBody } from '../content/text-body';
import { HOST } from '../net';
import { BODY_BYTES, type BodyName } from '../settings';
import type { TargetContext } from './types';

/** gzip_comp_level for both gzip targets: Portico's default. */
export const GZIP_LEVEL = 6;

/** The run's folder of static files, one per body, named like the paths wrk asks for ("1k", "64k"). */
export function staticDir(ctx: TargetContext): string {
  const dir = path.join(ctx.dir, 'static');
  mkdirSync(dir, { recursive: true });
  for (const body of ctx.settings.bodies) writeFileSync(path.join(dir, body), textBody(BODY_BYTES[body]));
  return dir;
}

/** One GET per body, so the timed runs see only hits; fails unless the second one is a HIT. */
export async function warmCache(port: number, bodies: readonly BodyName[]): Promise<void> {
  for (const body of bodies) {
    await get(port, `/${body}`);
    const status = await get(port, `/${body}`);
    if (status !== 'HIT') throw new Error(`GET /${body} twice: X-Cache-Status ${status ?? '(none)'}, expected HIT`);
  }
}

function get(port: number, urlPath: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: HOST, port, path: urlPath, agent: false, timeout: 5000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.headers['x-cache-status'] as string | undefined));
      })
      .on('error', reject);
  });
}
