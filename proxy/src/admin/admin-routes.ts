// The admin API's paths and methods. Everything but the dashboard page needs the token when one
// is required; the page holds no secret (it reads its token from the URL fragment).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AdminHttpError, readJsonBody, sendJson } from './admin-http';
import type { AdminControl } from './admin-view';
import { purgeCache } from './cache-purge';
import { addServer, findServer, findUpstream, patchServer, removeServer } from './server-changes';
import { serverStatus, statusDocument, upstreamStatus } from './status';

export interface AdminRequest {
  req: IncomingMessage;
  res: ServerResponse;
  /** Path segments captured by the route (decoded). */
  params: string[];
  control: AdminControl;
  /** Remote address, for the change log. */
  by: string;
}

type Handler = (r: AdminRequest) => void | Promise<void>;

interface RouteSpec {
  /** Segments; '*' captures one. */
  pattern: string[];
  methods: Partial<Record<string, Handler>>;
}

/** The page and /metrics are filled in by the listener, which owns their rendering. */
export interface PageHandlers {
  page: Handler;
  metrics: Handler;
}

export interface RouteMatch {
  methods: Partial<Record<string, Handler>>;
  params: string[];
}

export function adminRoutes(pages: PageHandlers): (path: string) => RouteMatch | null {
  const routes: RouteSpec[] = [
    { pattern: [], methods: { GET: pages.page, HEAD: pages.page } },
    { pattern: ['metrics'], methods: { GET: pages.metrics, HEAD: pages.metrics } },
    { pattern: ['api', 'status'], methods: { GET: ({ res, control }) => sendJson(res, 200, statusDocument(control)) } },
    {
      pattern: ['api', 'upstreams', '*'],
      methods: { GET: ({ res, control, params: [u] }) => sendJson(res, 200, upstreamStatus(findUpstream(control, u))) },
    },
    {
      pattern: ['api', 'upstreams', '*', 'servers'],
      methods: {
        GET: ({ res, control, params: [u] }) => sendJson(res, 200, upstreamStatus(findUpstream(control, u)).servers),
        POST: async ({ req, res, control, params: [u], by }) => {
          const status = addServer(control, u, await readJsonBody(req), by);
          sendJson(res, 201, status, [['location', `/api/upstreams/${encodeURIComponent(u)}/servers/${encodeURIComponent(status.id)}`]]);
        },
      },
    },
    {
      pattern: ['api', 'caches', '*', 'purge'],
      methods: { POST: async ({ req, res, control, params: [zone], by }) => sendJson(res, 200, purgeCache(control, zone, await readJsonBody(req), by)) },
    },
    {
      pattern: ['api', 'upstreams', '*', 'servers', '*'],
      methods: {
        GET: ({ res, control, params: [u, id] }) => sendJson(res, 200, serverStatus(findServer(findUpstream(control, u), id))),
        PATCH: async ({ req, res, control, params: [u, id], by }) => sendJson(res, 200, patchServer(control, u, id, await readJsonBody(req), by)),
        DELETE: ({ res, control, params: [u, id], by }) => sendJson(res, 200, removeServer(control, u, id, by)),
      },
    },
  ];
  return (path) => {
    const segments = splitPath(path);
    for (const route of routes) {
      const params = matchPattern(route.pattern, segments);
      if (params !== null) return { methods: route.methods, params };
    }
    return null;
  };
}

/**
 * Paths whose answers need the token (when one is required): every one but the page's, known or
 * not (a 404 tells nothing without it). Decided on the raw path, so it must fail closed: routes
 * match decoded segments, and `/%61pi/status` is /api/status.
 */
export function isProtectedPath(path: string): boolean {
  return path !== '/';
}

function splitPath(path: string): string[] {
  if (path === '/') return [];
  return path
    .slice(1)
    .split('/')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw new AdminHttpError(400, 'malformed percent-encoding in the path');
      }
    });
}

function matchPattern(pattern: string[], segments: string[]): string[] | null {
  if (pattern.length !== segments.length) return null;
  const params: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '*') {
      if (segments[i] === '') return null;
      params.push(segments[i]);
    } else if (pattern[i] !== segments[i]) return null;
  }
  return params;
}
