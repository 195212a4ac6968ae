// The aws target with ACME on three proxy VMs behind the load balancer: proxy 1 orders (its config
// says mode order, its sync uploads the ACME state), proxies 2 and 3 follow it (their own config:
// mode follow and a first route sending challenges to proxy 1's private address; their sync only
// downloads; their role cannot write). Checked on the recorded resource graph under mocks, and
// with the policy pack over it.
import * as pulumi from '@pulumi/pulumi';
import { planStack } from '../../infra/plan';
import { deployAwsStack, type AwsStack } from '../../infra/targets/aws';
import { configIssues } from '../../proxy/src/config/load';
import { policies } from '../../policy/policies';
import { packViolations, policyResourcesOfGraph } from '../policy/policy-harness';
import { AWS, cloudConfigOf, ingressRules, objectContent } from './aws-graph';
import { awsMocks, privateIpOf } from './aws-mocks';
import { installPulumiMocks, valueOf } from './pulumi-harness';

const graph = installPulumiMocks(awsMocks({ 't3.small': 2 }));
const SYNC = '/usr/local/bin/portico-sync';

describe('aws target, ACME on three proxy VMs behind a load balancer', () => {
  let stack: AwsStack;
  let leader: { acme: Record<string, unknown>; routes: { name?: string }[]; upstreams: Record<string, unknown> };
  let follower: { acme: Record<string, unknown>; routes: { name?: string; match?: { pathRegex?: string }; proxy?: { upstream: string } }[]; upstreams: Record<string, { servers: { address: string }[] }> };

  beforeAll(async () => {
    const plan = planStack({ stackName: 'fl', target: 'aws', cores: 2, appVms: 2, hostnames: ['shop.example.com'] });
    stack = deployAwsStack('fl', plan, { proxyVms: 3, tls: { mode: 'acme', staging: true }, dns: { zoneId: 'Z1' } }, new pulumi.ComponentResource('test:index:Root', 'fl-root'));
    leader = JSON.parse(await valueOf(stack.proxyConfig));
    follower = JSON.parse(await valueOf(stack.followerConfig!));
    await graph.settled();
  });

  const proxyVm = (n: number) => graph.get(AWS.instance, `fl-proxy-${n}`);
  const syncOf = (n: number) => cloudConfigOf(proxyVm(n)).write_files!.find((f) => f.path === SYNC)!.content;

  test('proxy 1 orders; proxies 2 and 3 follow with a first route sending challenges to its private address on port 80', () => {
    expect(leader.acme).toMatchObject({ mode: 'order', directory: 'https://acme-staging-v02.api.letsencrypt.org/directory', storage: '/var/lib/portico/acme' });
    expect(leader.upstreams['acme-leader']).toBeUndefined();
    expect(follower.acme).toEqual({ ...leader.acme, mode: 'follow' });
    expect(follower.routes[0]).toEqual({ name: 'acme-challenges', match: { pathRegex: '^/\\.well-known/acme-challenge/[A-Za-z0-9_-]+$' }, proxy: { upstream: 'acme-leader', upgrades: [] } });
    expect(follower.upstreams['acme-leader'].servers).toEqual([{ address: `${privateIpOf('fl-proxy-1')}:80` }]);
    // Otherwise the same config: the app's routes after the challenge route, the same app servers.
    expect(follower.routes.slice(1)).toEqual(leader.routes);
    expect(follower.upstreams.app).toEqual(leader.upstreams.app);
    expect(configIssues(leader)).toEqual([]);
    expect(configIssues(follower)).toEqual([]);
    expect(JSON.parse(objectContent(graph, 'proxy/config-follower.json'))).toEqual(follower);
    expect(JSON.parse(objectContent(graph, 'proxy/config.json'))).toEqual(leader);
  });

  test("each proxy pulls its own config; the followers' VMs boot after their config exists, which waits for proxy 1's address", () => {
    expect(syncOf(1)).toContain('fetch config.json /etc/portico/config.json');
    for (const n of [2, 3]) expect(syncOf(n)).toContain('fetch config-follower.json /etc/portico/config.json');
    const followerObject = graph.ofType(AWS.object).find((o) => o.inputs.key === 'proxy/config-follower.json')!;
    expect(followerObject.dependencies).toContain(proxyVm(1).urn);
    for (const n of [2, 3]) expect(proxyVm(n).dependencies).toContain(followerObject.urn);
    expect(proxyVm(1).dependencies).not.toContain(followerObject.urn);
  });

  test('proxy 1 uploads its ACME state; the followers download it on every run (no account key) and never upload', () => {
    const up = /aws s3 sync [^\n]*\/var\/lib\/portico\/acme "\$BASE\/acme"/;
    const down = /aws s3 sync [^\n]*"\$BASE\/acme" \/var\/lib\/portico\/acme/;
    expect(syncOf(1)).toMatch(up);
    for (const n of [2, 3]) {
      const sync = syncOf(n);
      expect(sync).not.toMatch(up);
      const line = sync.split('\n').find((l) => down.test(l))!;
      expect(line).toContain('--exclude account.key');
      expect(line).not.toContain('--boot'); // every run, not only at boot
      expect(sync).toContain('chown -R 1000:1000 /var/lib/portico/acme');
    }
  });

  test("the followers' role reads the proxy prefix and writes nothing; proxy 1's may write the ACME folder only", () => {
    expect(proxyVm(1).inputs.iamInstanceProfile).toBe('fl-proxy');
    for (const n of [2, 3]) expect(proxyVm(n).inputs.iamInstanceProfile).toBe('fl-proxy-follower');
    const policy = (name: string) => JSON.parse(graph.get(AWS.rolePolicy, name).inputs.policy).Statement as { Action: string | string[]; Resource: unknown }[];
    const writes = (name: string) => policy(name).filter((s) => [s.Action].flat().includes('s3:PutObject'));
    expect(writes('fl-proxy-follower-access')).toEqual([]);
    expect(writes('fl-proxy-access').map((s) => s.Resource)).toEqual(['arn:aws:s3:::fl-files-bucket/proxy/acme/*']);
  });

  test("the followers' role cannot read the ACME account key (only proxy 1 orders with it)", () => {
    const statements = (name: string) => JSON.parse(graph.get(AWS.rolePolicy, name).inputs.policy).Statement as { Effect: string; Action: string | string[]; Resource: unknown }[];
    const accountKey = 'arn:aws:s3:::fl-files-bucket/proxy/acme/account.key';
    const denies = (name: string) => statements(name).filter((s) => s.Effect === 'Deny' && [s.Action].flat().includes('s3:GetObject') && [s.Resource].flat().includes(accountKey));
    expect(denies('fl-proxy-follower-access')).toHaveLength(1);
    expect(denies('fl-proxy-access')).toEqual([]);
  });

  test("a follower's proxy container mounts the ACME folder read-only (it writes nothing; root syncs into it); proxy 1's may write", () => {
    const mountOf = (n: number) => {
      const run = cloudConfigOf(proxyVm(n)).runcmd!.find((c) => Array.isArray(c) && c[0] === 'docker' && c[1] === 'run') as string[];
      return run.find((a) => a.includes('target=/var/lib/portico/acme'))!;
    };
    expect(mountOf(1)).toBe('type=bind,source=/var/lib/portico/acme,target=/var/lib/portico/acme');
    for (const n of [2, 3]) expect(mountOf(n)).toBe('type=bind,source=/var/lib/portico/acme,target=/var/lib/portico/acme,readonly');
  });

  test('a follower reaches proxy 1 on port 80: the proxy group admits 80 from 0.0.0.0/0, which covers the VPC', () => {
    // No self-referencing rule is needed (nor added): the public rule already admits the followers.
    expect(ingressRules(graph).filter((r) => r.startsWith('fl-proxy '))).toContain('fl-proxy tcp 80-80 0.0.0.0/0');
  });

  test('the policy pack passes on this graph', async () => {
    expect(await packViolations(policies, policyResourcesOfGraph(graph.resources))).toEqual([]);
  });
});
