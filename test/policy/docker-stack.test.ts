// The pack over the Docker example stack — the program (infra/index.ts) with Pulumi.dev.yaml's
// config, as the PR preview runs it — recorded under mocks: it passes every policy, also when the
// stack publishes its traffic on every address; copies with the admin port opened to the network
// a privileged container or one in the host's network fail.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { policies } from '../../policy/policies';
import type { PolicyResource } from '../../policy/policies/policy-types';
import { installPulumiMocks, valueOf } from '../infra/pulumi-harness';
import { packViolations, policyResourcesOfGraph } from './policy-harness';

const example = parse(readFileSync(join(__dirname, '../../Pulumi.dev.yaml'), 'utf8')).config as Record<string, unknown>;
const config = Object.fromEntries(
  Object.entries(example).map(([key, value]) => [key.replace(/^portico:/, ''), typeof value === 'string' ? value : JSON.stringify(value)]),
);
// Published on every address: the admin port must still stay on loopback.
const graph = installPulumiMocks({ stack: 'dev', config: { ...config, publishHost: '0.0.0.0' } });
const CONTAINER = 'docker:index/container:Container';

describe('the policy pack over the Docker example stack', () => {
  let resources: PolicyResource[];

  beforeAll(async () => {
    // The program creates resources when imported: only once the mocks are set.
    const program = await import('../../infra/index');
    await valueOf(program.urls);
    await graph.settled();
    resources = policyResourcesOfGraph(graph.resources);
  });

  const proxy = (from: PolicyResource[]) => from.find((r) => r.type === CONTAINER && r.name.endsWith('-proxy'))!;
  /** A deep copy, so a broken variant leaves the recorded graph alone. */
  const variant = (change: (copy: PolicyResource[]) => void) => {
    const copy = resources.map((r) => ({ ...r, props: structuredClone(r.props) }));
    change(copy);
    return copy;
  };

  it("records the example's app containers and the proxy, its admin port on loopback and its traffic on every address", () => {
    expect(resources.filter((r) => r.type === CONTAINER)).toHaveLength(Number(config.instances) + 1);
    expect(proxy(resources).props.ports).toEqual(
      expect.arrayContaining([expect.objectContaining({ external: 9901, ip: '127.0.0.1' }), expect.objectContaining({ external: 8080, ip: '0.0.0.0' })]),
    );
  });

  it('passes every policy', async () => {
    expect(await packViolations(policies, resources)).toEqual([]);
  });

  it('fails when the admin port is published on every address', async () => {
    const broken = variant((copy) => {
      for (const port of proxy(copy).props.ports) if (port.external === 9901) port.ip = '0.0.0.0';
    });
    expect(await packViolations(policies, broken)).toEqual([
      expect.stringMatching(/^portico-docker-admin-on-loopback: portico-dev-proxy: ports\[\d\]: the admin port 9901 is published on "0\.0\.0\.0"/),
    ]);
  });

  it("fails when an app container joins the host's network", async () => {
    const broken = variant((copy) => {
      const app = copy.find((r) => r.type === CONTAINER && r !== proxy(copy))!;
      app.props.networkMode = 'host';
    });
    expect(await packViolations(policies, broken)).toEqual([expect.stringMatching(/^portico-docker-no-host-network: portico-dev-app-\S+: networkMode is "host"/)]);
  });

  it('fails when a container runs privileged', async () => {
    const broken = variant((copy) => (proxy(copy).props.privileged = true));
    expect(await packViolations(policies, broken)).toEqual([expect.stringMatching(/^portico-docker-unprivileged: portico-dev-proxy: /)]);
  });
});
