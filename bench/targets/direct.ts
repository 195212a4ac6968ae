// The limit: wrk straight to the backend.
import type { StartTarget } from './types';

export const startDirect: StartTarget = async (ctx) => ({ name: 'direct', label: 'direct (no proxy)', port: ctx.backendPort });

/** The WebSocket limit: ws-load straight to the echo backend. */
export const startDirectWs: StartTarget = async (ctx) => {
  if (ctx.wsBackendPort === undefined) throw new Error('direct-ws: the WebSocket echo backend is not running');
  return { name: 'direct-ws', label: 'direct-ws (no proxy)', port: ctx.wsBackendPort };
};
