// nginx tunnelling WebSocket to the echo backend: the Upgrade/Connection headers passed on as the
// nginx docs show, and a read timeout longer than any run.
import { startVariant } from './nginx';
import type { StartTarget } from './types';

export const startNginxWs: StartTarget = (ctx) => {
  if (ctx.wsBackendPort === undefined) throw new Error('nginx-ws: the WebSocket echo backend is not running');
  return startVariant(
    ctx,
    'nginx-ws',
    () => ({
      location: `proxy_pass http://b;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_read_timeout 1h;`,
    }),
    ctx.wsBackendPort,
  );
};
