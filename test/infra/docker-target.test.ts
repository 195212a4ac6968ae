import { requirePulumiTarget } from '../../infra/targets';
import { dockerHostCpus } from '../../infra/targets/docker/host-cpus';

describe('dockerHostCpus', () => {
  test('asks the engine, so a remote DOCKER_HOST is sized by its own CPUs', () => {
    const calls: string[][] = [];
    expect(dockerHostCpus((args) => (calls.push(args), '12\n'))).toBe(12);
    expect(calls).toEqual([['info', '--format', '{{.NCPU}}']]);
  });

  test.each([
    ['the CLI fails', () => { throw new Error('Cannot connect to the Docker daemon'); }],
    ['the answer is not a count', () => 'n/a'],
    ['the count is zero', () => '0'],
  ])('is null when %s', (_, run) => {
    expect(dockerHostCpus(run)).toBeNull();
  });
});

describe('requirePulumiTarget', () => {
  test.each(['docker', 'aws'])('accepts %s', (target) => expect(requirePulumiTarget(target)).toBe(target));
  test.each([
    ['local', 'target local runs without Pulumi: use `npm start`'],
    ['gcp', 'target must be one of docker, aws, local, got "gcp"'],
  ])('refuses %s', (target, message) => expect(() => requirePulumiTarget(target)).toThrow(message));
});
