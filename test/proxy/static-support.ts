// Shared by the static file tests: a temp directory with files, and a proxy serving it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProxyConfig } from '../../proxy/src/config';
import { registerCleanup, startProxy, type RunningProxy } from '../helpers/servers';

type StaticConfig = NonNullable<ProxyConfig['routes'][number]['static']>;

/** A fresh temp directory holding `files` (name -> content; a name ending in "/" is a directory). */
export function makeTree(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-static-'));
  for (const [name, content] of Object.entries(files)) {
    const full = path.join(dir, name);
    if (name.endsWith('/')) {
      fs.mkdirSync(full, { recursive: true });
      continue;
    }
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
  registerCleanup(async () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A proxy with one route (at `match`, default "/") serving `files`; `rest` adds upstreams and routes. */
export function staticProxy(files: StaticConfig, extra: { match?: { path: string }; responseHeaders?: ProxyConfig['routes'][number]['responseHeaders'] } = {}, rest: Partial<ProxyConfig> = {}): Promise<RunningProxy> {
  return startProxy({
    upstreams: {},
    ...rest,
    routes: [...(rest.routes ?? []), { match: extra.match ?? { path: '/' }, static: files, ...(extra.responseHeaders ? { responseHeaders: extra.responseHeaders } : {}) }],
  });
}
