// The repo's own Pulumi program (infra/index.ts) with Pulumi.aws-example.yaml's config: the stack
// config alone selects the aws target, and this repo's app-sample is built and pushed to ECR.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { AWS, cloudConfigOf, dockerRuns } from './aws-graph';
import { awsMocks, ELASTIC_IP, LOOKED_UP_ZONE, privateIpOf } from './aws-mocks';
import { installPulumiMocks, valueOf } from './pulumi-harness';

const root = path.resolve(__dirname, '../..');
const example = parse(readFileSync(path.join(root, 'Pulumi.aws-example.yaml'), 'utf8')).config as Record<string, unknown>;
/** The example's portico keys as `pulumi config` hands them to the program (strings; arrays as JSON). */
const config = Object.fromEntries(
  Object.entries(example)
    .filter(([key]) => key.startsWith('portico:'))
    .map(([key, value]) => [key.slice('portico:'.length), Array.isArray(value) ? JSON.stringify(value) : String(value)]),
);
const graph = installPulumiMocks({ ...awsMocks({ 't3.small': 2 }), stack: 'aws-example', config });

type Program = typeof import('../../infra/index');
let program: Program;

beforeAll(async () => {
  program = await import('../../infra/index');
  await valueOf(program.urls);
  await graph.settled();
});

test('deploys one WebStack on aws: two app VMs with one app-sample container per vCPU, one proxy VM', async () => {
  expect(graph.ofType('portico:index:WebStack').map((r) => r.name)).toEqual(['portico-aws-example']);
  const vms = graph.ofType(AWS.instance).map((vm) => vm.name).sort();
  expect(vms).toEqual(['portico-aws-example-proxy-1', 'portico-aws-example-vm-1', 'portico-aws-example-vm-2']);
  expect(await valueOf(program.instanceCount)).toBe(4);
  for (const name of ['portico-aws-example-vm-1', 'portico-aws-example-vm-2']) {
    expect(dockerRuns(cloudConfigOf(graph.get(AWS.instance, name)))).toHaveLength(2);
  }
  expect(await valueOf(program.appAddresses)).toEqual(
    ['portico-aws-example-vm-1', 'portico-aws-example-vm-2'].flatMap((vm) => [3000, 3001].map((port) => `${privateIpOf(vm)}:${port}`)),
  );
});

test("builds this repo's app-sample and proxy images from the repo root and pushes them to ECR", () => {
  const app = graph.get(AWS.image, 'portico-aws-example-app');
  expect(path.resolve(app.inputs.context.location)).toBe(root);
  expect(app.inputs.dockerfile.location).toMatch(/app-sample\/Dockerfile$/);
  expect(app.inputs.buildArgs).toEqual({ NODE_IMAGE: 'node:22-slim' });
  expect(graph.get(AWS.image, 'portico-aws-example-proxy').inputs.dockerfile.location).toMatch(/proxy\/Dockerfile$/);
  expect(graph.ofType(AWS.image).every((image) => image.inputs.push === true)).toBe(true);
});

test('exports https URLs for the example names, DNS in the looked-up zone, the dashboard through SSM', async () => {
  expect(await valueOf(program.urls)).toEqual(['https://shop.example.com/', 'https://www.shop.example.com/']);
  expect(await valueOf(program.proxyUrl)).toBe(`http://${ELASTIC_IP}/`);
  expect(graph.ofType(AWS.record).map((r) => [r.inputs.name, r.inputs.zoneId])).toEqual([
    ['shop.example.com', LOOKED_UP_ZONE],
    ['www.shop.example.com', LOOKED_UP_ZONE],
  ]);
  expect(await valueOf(program.dashboardCommand)).toContain('AWS-StartPortForwardingSession');
  expect(await valueOf(program.appVmIds)).toEqual(['portico-aws-example-vm-1-id', 'portico-aws-example-vm-2-id']);
  expect(JSON.parse(await valueOf(program.proxyConfig)).listeners.find((l: { name: string }) => l.name === 'https').tls.acme.directoryUrl).toContain('staging');
});
