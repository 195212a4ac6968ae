// Selecting a target `pulumi up` cannot deploy fails before any resource exists.
import { installPulumiMocks } from './pulumi-harness';

const graph = installPulumiMocks({ stack: 'laptop', config: { target: 'local', instances: '2' } });

test('target local fails with a clear error', async () => {
  await expect(import('../../infra/index')).rejects.toThrow('target local runs without Pulumi: use `npm start`');
  await graph.settled();
  expect(graph.resources).toEqual([]);
});
