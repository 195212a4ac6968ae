// aws: the app VMs' private addresses exist only once the VMs do. The plan names each instance's
// host after its VM; this puts the real addresses into the planned ProxyConfig, so every proxy's
// upstream comes from the one plan (buildProxyConfig), not from a second description of it.
import type { ProxyConfig } from '../../proxy/src/config/schema';
import { APP_UPSTREAM } from './proxy-config';
import type { StackPlan } from './stack-plan';

/** The plan's proxy config with app VM `i`'s instances at `vmAddresses[i]`:port. */
export function bindVmAddresses(plan: StackPlan, vmAddresses: readonly string[]): ProxyConfig {
  const count = plan.appVms ?? 0;
  if (vmAddresses.length !== count) {
    throw new Error(`bindVmAddresses: stack "${plan.stackName}" plans ${count} app VMs, got ${vmAddresses.length} addresses`);
  }
  const config = structuredClone(plan.proxy.config);
  const upstream = config.upstreams[APP_UPSTREAM];
  upstream.servers = upstream.servers.map((server) => {
    const app = plan.apps.find((a) => a.id === server.id);
    if (app?.vm === undefined) return server;
    const host = vmAddresses[app.vm];
    return { ...server, address: `${host.includes(':') ? `[${host}]` : host}:${app.port}` };
  });
  return config;
}
