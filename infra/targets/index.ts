// Which targets `pulumi up` can deploy. `local` runs without Pulumi (`npm start`); `aws` is planned.
import type { TargetName } from '../plan';

export type PulumiTargetName = Extract<TargetName, 'docker'>;

export function requirePulumiTarget(target: TargetName | string): PulumiTargetName {
  switch (target) {
    case 'docker':
      return target;
    case 'aws':
      throw new Error('target aws is not implemented yet');
    case 'local':
      throw new Error('target local runs without Pulumi: use `npm start`');
    default:
      throw new Error(`target must be one of docker, aws, local, got "${target}"`);
  }
}
