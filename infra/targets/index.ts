// Which targets `pulumi up` can deploy. `local` runs without Pulumi (`npm start`).
import type { TargetName } from '../plan';

export type PulumiTargetName = Extract<TargetName, 'docker' | 'aws'>;

export function requirePulumiTarget(target: TargetName | string): PulumiTargetName {
  switch (target) {
    case 'docker':
    case 'aws':
      return target;
    case 'local':
      throw new Error('target local runs without Pulumi: use `npm start`');
    default:
      throw new Error(`target must be one of docker, aws, local, got "${target}"`);
  }
}
