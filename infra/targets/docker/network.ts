// The stack's user-defined bridge network: it gives containers DNS by name, which is how the
// proxy's upstream addresses (`portico-dev-app-1:3000`) resolve.
import * as docker from '@pulumi/docker';
import type * as pulumi from '@pulumi/pulumi';
import { LABELS, type StackPlan } from '../../plan';

export function stackNetwork(name: string, plan: StackPlan, opts: pulumi.CustomResourceOptions): docker.Network {
  if (plan.network === undefined) throw new Error(`stack "${plan.stackName}" has no docker network: it is planned for target ${plan.target}`);
  return new docker.Network(
    name,
    { name: plan.network, driver: 'bridge', labels: [{ label: LABELS.stack, value: plan.stackName }] },
    opts,
  );
}
