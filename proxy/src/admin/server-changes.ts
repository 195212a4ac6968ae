// Runtime changes to an upstream's servers (admin API): state and weight, add, remove. Each is
// validated like the config file, kept in the ServerBook as an override against the file's entry
// (so a reload of an unchanged file keeps it), applied at once, and logged once.
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { normalizeServer } from '../config/normalize';
import type { ResolvedServer } from '../config/resolved';
import { UpstreamServer as UpstreamServerSchema, type UpstreamServerConfig } from '../config/schema';
import { addedServerIssues, issuesOf } from '../config/validate';
import { applyAdminState, type AdminState, type ServerOverride } from '../upstream/server-override';
import type { Upstream } from '../upstream/upstream';
import type { UpstreamServer } from '../upstream/upstream-server';
import { AdminHttpError } from './admin-http';
import type { AdminControl } from './admin-view';
import { serverStatus, type ServerStatus } from './status';

const ServerPatch = Type.Object(
  {
    state: Type.Optional(
      Type.Union([Type.Literal('up'), Type.Literal('draining'), Type.Literal('down')], { errorMessage: 'expected one of up, draining, down' }),
    ),
    weight: UpstreamServerSchema.properties.weight,
  },
  { additionalProperties: false },
);
const patchChecker = TypeCompiler.Compile(ServerPatch);

export interface ServerPatch {
  state?: AdminState;
  weight?: number;
}

/** PATCH: { state?, weight? } → the server's status after the change. */
export function patchServer(control: AdminControl, upstreamName: string, id: string, body: unknown, by: string): ServerStatus {
  const upstream = findUpstream(control, upstreamName);
  const server = findServer(upstream, id);
  const issues = issuesOf(patchChecker, body);
  if (issues.length) throw new AdminHttpError(400, 'invalid change', issues);
  const patch = body as ServerPatch;
  if (patch.state === undefined && patch.weight === undefined) {
    throw new AdminHttpError(400, 'invalid change', [{ path: '(root)', message: 'expected state or weight' }]);
  }
  const book = control.book;
  const o = book.override(upstreamName, id) ?? newOverride(fileEntry(control, upstreamName, id), server.config);
  const configured = o.base ?? o.added!;
  if (patch.weight !== undefined) o.weight = patch.weight === configured.weight ? null : patch.weight;
  if (patch.state !== undefined) {
    // "up" needs keeping only against a config that says down or drain.
    o.state = patch.state === 'up' && !configured.down && !configured.drain ? null : patch.state;
  }
  keepOverride(control, upstreamName, id, o);
  if (patch.state !== undefined) applyAdminState(server.record, patch.state, `admin API (${by})`);
  if (patch.weight !== undefined && patch.weight !== server.config.weight) control.applyServerChanges();
  control.log.info({ upstream: upstreamName, server: id, change: patch, by }, 'admin: upstream server changed');
  return serverStatus(findServer(findUpstream(control, upstreamName), id));
}

/** POST: a server entry (the config file's schema) → the new server's status. */
export function addServer(control: AdminControl, upstreamName: string, body: unknown, by: string): ServerStatus {
  const upstream = findUpstream(control, upstreamName);
  const ids = new Set(upstream.servers.map((s) => s.id));
  const issues = addedServerIssues(body, ids, upstream.config.balance);
  if (issues.length) throw new AdminHttpError(400, 'invalid server', issues);
  const server = normalizeServer(body as UpstreamServerConfig, upstream.config.serverDefaults);
  const inFile = fileEntry(control, upstreamName, server.id);
  if (inFile === null) {
    control.book.setOverride(upstreamName, server.id, { base: null, added: server, removed: false, state: null, weight: null });
  } else if (JSON.stringify(inFile) === JSON.stringify(server)) {
    control.book.dropOverride(upstreamName, server.id); // adding back what the file says undoes a removal
  } else {
    throw new AdminHttpError(409, `the config file names server ${server.id} with other settings: add it back as the file has it, or change the file`);
  }
  control.applyServerChanges();
  control.log.info({ upstream: upstreamName, server: server.id, address: server.address, by }, 'admin: upstream server added');
  return serverStatus(findServer(findUpstream(control, upstreamName), server.id));
}

/** DELETE: requests and tunnels in flight on it finish; new ones go elsewhere. → its last status. */
export function removeServer(control: AdminControl, upstreamName: string, id: string, by: string): ServerStatus {
  const upstream = findUpstream(control, upstreamName);
  const server = findServer(upstream, id);
  if (!server.config.backup && !upstream.primary.some((s) => s !== server)) {
    throw new AdminHttpError(409, `cannot remove ${id}: it is the last non-backup server of upstream ${upstreamName}`);
  }
  const base = fileEntry(control, upstreamName, id);
  if (base === null) control.book.dropOverride(upstreamName, id);
  else control.book.setOverride(upstreamName, id, { base, added: null, removed: true, state: null, weight: null });
  const status = serverStatus(server);
  control.applyServerChanges();
  control.log.info({ upstream: upstreamName, server: id, by }, 'admin: upstream server removed');
  return status;
}

export function findUpstream(control: AdminControl, name: string): Upstream {
  const upstream = control.runtime().registry.upstreams.get(name);
  if (upstream === undefined) throw new AdminHttpError(404, `no upstream ${name}`);
  return upstream;
}

export function findServer(upstream: Upstream, id: string): UpstreamServer {
  const server = upstream.servers.find((s) => s.id === id);
  if (server === undefined) throw new AdminHttpError(404, `no server ${id} in upstream ${upstream.name}`);
  return server;
}

/** The running config file's entry for a server; null when the file does not name it. */
function fileEntry(control: AdminControl, upstream: string, id: string): ResolvedServer | null {
  return control.runtime().config.upstreams.get(upstream)?.servers.find((s) => s.id === id) ?? null;
}

function newOverride(base: ResolvedServer | null, running: ResolvedServer): ServerOverride {
  return { base, added: base === null ? running : null, removed: false, state: null, weight: null };
}

/** Stores an override, or forgets one that no longer changes anything. */
function keepOverride(control: AdminControl, upstream: string, id: string, o: ServerOverride): void {
  const empty = o.base !== null && !o.removed && o.state === null && o.weight === null;
  if (empty) control.book.dropOverride(upstream, id);
  else control.book.setOverride(upstream, id, o);
}
