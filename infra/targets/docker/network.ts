// The docker stack's two user-defined bridge networks. Both give containers DNS by name. The apps'
// network is internal (no route out, no published port); only the proxy joins it and the edge
// network it is published on.
import * as docker from '@pulumi/docker';
import type * as pulumi from '@pulumi/pulumi';
import { LABELS } from '../../plan';

/** The internal network the app containers (and the proxy) join: `${stackName}-net`. */
export function appNetwork(name: string, networkName: string, stackName: string, opts: pulumi.CustomResourceOptions): docker.Network {
  return new docker.Network(
    name,
    { name: networkName, driver: 'bridge', internal: true, labels: [{ label: LABELS.stack, value: stackName }] },
    opts,
  );
}

/** The network the proxy's ports are published through: `${stackName}-edge`. */
export function edgeNetwork(name: string, networkName: string, stackName: string, opts: pulumi.CustomResourceOptions): docker.Network {
  return new docker.Network(name, { name: networkName, driver: 'bridge', labels: [{ label: LABELS.stack, value: stackName }] }, opts);
}
