// Portico tunnelling WebSocket (HTTP/1.1 Upgrade) to the echo backend with its defaults.
import { HOST } from '../net';
import { startVariant } from './portico';
import type { StartTarget } from './types';

export const startPorticoWs: StartTarget = async (ctx) => {
  if (ctx.wsBackendPort === undefined) throw new Error('portico-ws: the WebSocket echo backend is not running');
  const t = await startVariant(ctx, 'portico-ws', { ws: { servers: [{ address: `${HOST}:${ctx.wsBackendPort}` }] } }, { proxy: { upstream: 'ws' } });
  return { name: 'portico-ws', ...t };
};
