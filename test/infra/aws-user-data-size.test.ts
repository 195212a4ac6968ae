// EC2 refuses user data over 16 KB (before base64). An app VM's user data holds one `docker run`
// per vCPU, so a large type (32 vCPUs and up) would not launch: what EC2 receives must fit, and
// cloud-init must still read every container from it (it takes gzip-compressed user data as it is).
import * as pulumi from '@pulumi/pulumi';
import { gunzipSync } from 'node:zlib';
import { parse } from 'yaml';
import { planStack } from '../../infra/plan';
import { deployAwsStack, instanceVcpus } from '../../infra/targets/aws';
import type { CloudConfig } from '../../infra/targets/aws/cloud-init';
import { AWS, dockerRuns } from './aws-graph';
import { awsMocks } from './aws-mocks';
import { installPulumiMocks, valueOf } from './pulumi-harness';

const EC2_USER_DATA_LIMIT = 16 * 1024;
const graph = installPulumiMocks(awsMocks({ 'c7i.16xlarge': 64, 't3.small': 2 }));

/** The bytes EC2 receives, and the text cloud-init reads from them. */
function userDataOf(inputs: Record<string, unknown>): { bytes: number; text: string } {
  if (typeof inputs.userData === 'string') return { bytes: Buffer.byteLength(inputs.userData), text: inputs.userData };
  const raw = Buffer.from(String(inputs.userDataBase64), 'base64');
  return { bytes: raw.length, text: raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw).toString('utf8') : raw.toString('utf8') };
}

test('an app VM of 64 vCPUs gets user data EC2 accepts, running all 64 containers', async () => {
  const cores = await instanceVcpus('c7i.16xlarge');
  const plan = planStack({ stackName: 'big', target: 'aws', cores, appVms: 1, hostnames: ['shop.example.com'] });
  const root = new pulumi.ComponentResource('test:index:Root', 'root');
  const env = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`SETTING_${i}`, `value-${i}-${'x'.repeat(20)}`]));
  const stack = deployAwsStack('big', plan, { appInstanceType: 'c7i.16xlarge', tls: { mode: 'off' }, app: { image: 'registry.example.com/shop:1', env } }, root);
  await valueOf(stack.appVmIds);
  await graph.settled();
  const vm = graph.get(AWS.instance, 'big-vm-1');
  const { bytes, text } = userDataOf(vm.inputs);
  expect(bytes).toBeLessThanOrEqual(EC2_USER_DATA_LIMIT);
  expect(text.startsWith('#cloud-config\n')).toBe(true);
  const runs = dockerRuns(parse(text.slice('#cloud-config\n'.length)) as CloudConfig);
  expect(runs).toHaveLength(64);
  expect(vm.inputs.userDataReplaceOnChange).toBe(true);
});
