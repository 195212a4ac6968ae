// Runtime changes made through the admin API, kept by the ServerBook with the server config they
// were made against, so a reload of a file that did not change that server keeps them (and one
// that did change it drops them: the file wins).
import type { ResolvedServer } from '../config/resolved';
import type { ServerBook } from './server-book';
import type { ServerRecord } from './server-state';

/** The states an operator may set. */
export type AdminState = 'up' | 'draining' | 'down';

export interface ServerOverride {
  /** The file's entry the change was made against; null for a server the admin API added. */
  readonly base: ResolvedServer | null;
  /** The added server's config (when `base` is null). */
  readonly added: ResolvedServer | null;
  /** Removed by the admin API (a file server). */
  removed: boolean;
  state: AdminState | null;
  weight: number | null;
}

export interface OverrideDropped {
  upstream: string;
  server: string;
  reason: string;
}

export interface OverriddenServers {
  servers: ResolvedServer[];
  /** Ids whose operator state (down, draining) was dropped: the file's state applies again. */
  released: Set<string>;
}

/**
 * The servers an upstream runs: the file's entries with the overrides that still apply (removed
 * ones left out, weights patched), then the servers added at run time that the file does not name.
 */
export function serversWithOverrides(upstream: string, file: readonly ResolvedServer[], book: ServerBook): OverriddenServers {
  const released = new Set<string>();
  for (const [id, o] of book.overridesOf(upstream)) if (o.state !== null) released.add(id);
  const servers = overridden(upstream, file, book);
  for (const id of released) if (book.override(upstream, id)?.state != null) released.delete(id);
  return { servers, released };
}

/** Ends an operator's down or draining state once its override is gone, unless the file asks for it too. */
export function releaseAdminState(record: ServerRecord, config: ResolvedServer): void {
  if (config.down || config.drain) return;
  if (record.state === 'down' || record.state === 'draining') record.transition('up', 'config', 'the config file changed this server');
}

function overridden(upstream: string, file: readonly ResolvedServer[], book: ServerBook): ResolvedServer[] {
  const named = new Set(file.map((s) => s.id));
  for (const [id, o] of book.overridesOf(upstream)) {
    if (o.base !== null && !named.has(id)) book.dropOverride(upstream, id, 'the config file no longer names this server');
  }
  const servers: ResolvedServer[] = [];
  for (const s of file) {
    const o = book.override(upstream, s.id);
    if (o === undefined) servers.push(s);
    else if (o.base === null) {
      book.dropOverride(upstream, s.id, 'the config file now names this server');
      servers.push(s);
    } else if (JSON.stringify(o.base) !== JSON.stringify(s)) {
      book.dropOverride(upstream, s.id, 'the config file changed this server');
      servers.push(s);
    } else if (!o.removed) servers.push(withWeight(s, o.weight));
  }
  for (const [, o] of book.overridesOf(upstream)) {
    if (o.added !== null) servers.push(withWeight(o.added, o.weight));
  }
  if (servers.some((s) => !s.backup)) return servers;
  // Removals made against an older file would leave no server to send to: the file wins.
  for (const [id, o] of book.overridesOf(upstream)) {
    if (o.removed) book.dropOverride(upstream, id, 'removing it would leave the upstream without a non-backup server');
  }
  return overridden(upstream, file, book);
}

/** Applies an operator's state to a record (after config `down` / `drain` did theirs). */
export function applyAdminState(record: ServerRecord, state: AdminState, reason: string): boolean {
  // "up" ends what an operator or the config set (down, draining); health states stay health's.
  if (state === 'up') return (record.state === 'down' || record.state === 'draining') && record.transition('up', 'admin', reason);
  return record.transition(state, 'admin', reason);
}

function withWeight(s: ResolvedServer, weight: number | null): ResolvedServer {
  return weight === null || weight === s.weight ? s : { ...s, weight };
}
