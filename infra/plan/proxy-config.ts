// The ProxyConfig a stack runs: one upstream holding every app instance, one route sending all
// traffic to it. Built with the proxy's own types, so a schema change breaks the build, not a deploy.
import type { ListenerConfig, ProxyConfig, UpstreamConfig } from '../../proxy/src/config/schema';
import type { ResolvedStackArgs } from './resolve-args';
import type { AppInstancePlan } from './stack-plan';

/** The upstream every route of a generated config proxies to. */
export const APP_UPSTREAM = 'app';

export function buildProxyConfig(args: ResolvedStackArgs, apps: AppInstancePlan[], listener: ListenerConfig): ProxyConfig {
  const upstream: UpstreamConfig = {
    // The id, not the address, names a server: sticky cookies then survive a move to another host.
    servers: apps.map((app) => ({ address: app.address, id: app.id })),
    ...(args.balance !== undefined && { balance: args.balance }),
  };
  return {
    listeners: [listener],
    upstreams: { [APP_UPSTREAM]: upstream },
    routes: [
      {
        name: 'app',
        proxy: { upstream: APP_UPSTREAM },
        // Express announces itself; a front door should not tell attackers what is behind it.
        responseHeaders: { remove: ['x-powered-by'] },
      },
    ],
    log: { level: 'info' },
  };
}
