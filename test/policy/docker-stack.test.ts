// The pack over the Docker stack's recorded resource graph under mocks: what the components build
// passes every policy, even when the stack publishes its traffic on every address; the same graph
// with the admin port opened to the network or a privileged container fails.
import { WebStack } from '../../infra/components/web-stack';
import { policies } from '../../policy/policies';
import { installPulumiMocks, valueOf } from '../infra/pulumi-harness';
import { packViolations, policyResourcesOfGraph } from './policy-harness';
import type { PolicyResource } from '../../policy/policies/policy-types';

const graph = installPulumiMocks();
const CONTAINER = 'docker:index/container:Container';

describe('the policy pack over the Docker stack', () => {
  let resources: PolicyResource[];

  beforeAll(async () => {
    const stack = new WebStack('web', {
      instances: 2,
      httpPort: 18080,
      publishHost: '0.0.0.0',
      hostnames: ['localhost'],
      build: { baseImage: 'local/node-base:22', network: 'host' },
    });
    await valueOf(stack.proxyUrl);
    await graph.settled();
    resources = policyResourcesOfGraph(graph.resources);
  });

  const proxy = (from: PolicyResource[]) => from.find((r) => r.type === CONTAINER && r.name === 'web-proxy')!;
  /** A deep copy, so a broken variant leaves the recorded graph alone. */
  const variant = (change: (copy: PolicyResource[]) => void) => {
    const copy = resources.map((r) => ({ ...r, props: structuredClone(r.props) }));
    change(copy);
    return copy;
  };

  it('records the proxy and the app containers, the proxy with its admin port', () => {
    expect(resources.filter((r) => r.type === CONTAINER).map((r) => r.name).sort()).toEqual(['web-app-1', 'web-app-2', 'web-proxy']);
    expect(proxy(resources).props.ports).toEqual(expect.arrayContaining([expect.objectContaining({ external: 9901, ip: '127.0.0.1' })]));
  });

  it('passes every policy', async () => {
    expect(await packViolations(policies, resources)).toEqual([]);
  });

  it('fails when the admin port is published on every address', async () => {
    const broken = variant((copy) => {
      for (const port of proxy(copy).props.ports) if (port.external === 9901) port.ip = '0.0.0.0';
    });
    expect(await packViolations(policies, broken)).toEqual([
      expect.stringMatching(/^portico-docker-admin-on-loopback: web-proxy: ports\[\d\]: the admin port 9901 is published on "0\.0\.0\.0"/),
    ]);
  });

  it('fails when a container runs privileged', async () => {
    const broken = variant((copy) => (proxy(copy).props.privileged = true));
    expect(await packViolations(policies, broken)).toEqual([expect.stringMatching(/^portico-docker-unprivileged: web-proxy: /)]);
  });
});
