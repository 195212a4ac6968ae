// What a stack may change about the invariants: the admin listener's port (the stack's `adminPort`,
// 9901 unless set). Given per policy in a policy config file (`pulumi preview --policy-pack-config`).
import type { PolicyConfigSchema } from '@pulumi/policy';

export const DEFAULT_ADMIN_PORT = 9901;

export interface AdminPortSettings {
  adminPorts?: number[];
}

export const adminPortsSchema: PolicyConfigSchema = {
  properties: {
    adminPorts: {
      type: 'array',
      items: { type: 'integer', minimum: 1, maximum: 65535 },
      default: [DEFAULT_ADMIN_PORT],
      description: "The proxy's admin listener ports (the stack's adminPort): never reachable from the internet.",
    },
  },
};

/** The configured admin ports; the default when the config leaves them out or is malformed. */
export function adminPortsOf(config: AdminPortSettings | undefined): number[] {
  const ports = config && Array.isArray(config.adminPorts) ? config.adminPorts.filter(isPort) : [];
  return ports.length > 0 ? ports : [DEFAULT_ADMIN_PORT];
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}
