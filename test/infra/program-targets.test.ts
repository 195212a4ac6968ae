// Selecting a target `pulumi up` cannot deploy fails before any resource exists.
import { installPulumiMocks } from './pulumi-harness';

const graph = installPulumiMocks({ stack: 'cloud', config: { target: 'aws', instances: '2' } });

test('target aws fails with a clear error', async () => {
  await expect(import('../../infra/index')).rejects.toThrow('target aws is not implemented yet');
  await graph.settled();
  expect(graph.resources).toEqual([]);
});
