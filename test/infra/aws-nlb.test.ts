// The aws target with three proxy VMs behind a Network Load Balancer, in a given VPC with IPv6,
// a prebuilt app image, a given hosted zone and certificates supplied as Pulumi secrets (ACME
// behind a load balancer: aws-acme-followers.test.ts); and, apart, supplied certificates on one
// proxy VM.
import * as pulumi from '@pulumi/pulumi';
import { planStack, type StackPlan } from '../../infra/plan';
import { deployAwsStack, instanceVcpus, type AwsStack } from '../../infra/targets/aws';
import { configIssues } from '../../proxy/src/config/load';
import { AWS, cloudConfigOf, dockerRuns, flagValues, ingressRules, objectContent } from './aws-graph';
import { awsMocks, ipv6Of, NLB_DNS, NLB_ZONE, privateIpOf } from './aws-mocks';
import { installPulumiMocks, isSecretInput, valueOf } from './pulumi-harness';

const graph = installPulumiMocks(awsMocks({ 'c7g.large': 2, 'c7g.xlarge': 4 }));
const named = (prefix: string) => graph.resources.filter((r) => r.name.startsWith(`${prefix}-`));

describe('aws target, three proxy VMs behind a Network Load Balancer', () => {
  let plan: StackPlan;
  let stack: AwsStack;
  let out: { urls: string[]; proxyAddress: string; proxyConfig: string };

  beforeAll(async () => {
    expect(await instanceVcpus('c7g.xlarge')).toBe(4);
    // `instances` overrides the vCPUs: 3 per VM on a 4-vCPU type.
    plan = planStack({ stackName: 'lb', target: 'aws', instances: 3, cores: 4, appVms: 2, appPort: 4000, hostnames: ['example.com', 'www.example.com'] });
    const root = new pulumi.ComponentResource('test:index:Root', 'lb-root');
    stack = deployAwsStack(
      'lb',
      plan,
      {
        vpcId: 'vpc-given',
        subnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
        ipv6: true,
        appInstanceType: 'c7g.xlarge',
        proxyVms: 3,
        proxyInstanceType: 'c7g.large',
        app: { image: 'ghcr.example/acme/shop:1.2.3', env: { NODE_ENV: 'production', PORT: '1' } },
        tls: { mode: 'certificates', certificatePem: 'CERT', privateKeyPem: pulumi.secret('KEY') },
        dns: { zoneId: 'ZGIVEN' },
      },
      root,
    );
    out = { urls: await valueOf(stack.urls), proxyAddress: await valueOf(stack.proxyAddress), proxyConfig: await valueOf(stack.proxyConfig) };
    await graph.settled();
  });

  const of = (type: string) => named('lb').filter((r) => r.type === type);

  test('three proxy VMs spread over the given subnets, two app VMs, no new VPC', () => {
    const vms = of(AWS.instance);
    expect(vms.filter((v) => v.name.startsWith('lb-proxy-')).map((v) => [v.name, v.inputs.subnetId, v.inputs.instanceType])).toEqual([
      ['lb-proxy-1', 'subnet-a', 'c7g.large'],
      ['lb-proxy-2', 'subnet-b', 'c7g.large'],
      ['lb-proxy-3', 'subnet-c', 'c7g.large'],
    ]);
    expect(vms.filter((v) => v.name.startsWith('lb-vm-')).map((v) => v.name)).toEqual(['lb-vm-1', 'lb-vm-2']);
    expect(graph.ofType(AWS.vpc)).toEqual([]);
    expect(graph.ofType(AWS.sg).map((g) => g.inputs.vpcId)).toEqual(['vpc-given', 'vpc-given']);
    expect(vms.map((v) => v.inputs.ami)).toEqual(Array(5).fill('ami-arm'));
  });

  test('an explicit instance count overrides the vCPUs: three containers per VM on the prebuilt image, with the app env', () => {
    for (const vm of of(AWS.instance).filter((v) => v.name.startsWith('lb-vm-'))) {
      const config = cloudConfigOf(vm);
      const runs = dockerRuns(config);
      expect(runs.map((r) => flagValues(r, '--publish')[0])).toEqual(['4000:4000/tcp', '4001:4001/tcp', '4002:4002/tcp']);
      for (const run of runs) {
        expect(run.at(-1)).toBe('ghcr.example/acme/shop:1.2.3');
        expect(flagValues(run, '--env')).toContain('NODE_ENV=production');
        // The plan's PORT wins over the user's.
        expect(flagValues(run, '--env').filter((e) => e.startsWith('PORT='))).toHaveLength(1);
      }
      // Not in ECR: no login step.
      expect(JSON.stringify(config.runcmd)).not.toContain('ecr get-login-password');
    }
  });

  test("every proxy reads one config listing both app VMs' private addresses × 3 ports", () => {
    const config = JSON.parse(objectContent(graph, 'proxy/config.json'));
    expect(config.upstreams.app.servers.map((s: { address: string }) => s.address)).toEqual(
      ['lb-vm-1', 'lb-vm-2'].flatMap((vm) => [4000, 4001, 4002].map((port) => `${privateIpOf(vm)}:${port}`)),
    );
    for (const vm of of(AWS.instance).filter((v) => v.name.startsWith('lb-proxy-'))) {
      expect(cloudConfigOf(vm).write_files!.find((f) => f.path === '/usr/local/bin/portico-sync')!.content).toContain('fetch config.json /etc/portico/config.json');
    }
  });

  test('the load balancer passes TCP 80 and 443 through to every proxy', () => {
    expect(of(AWS.nlb).map((n) => n.inputs)).toEqual([
      expect.objectContaining({ loadBalancerType: 'network', internal: false, ipAddressType: 'dualstack', subnets: ['subnet-a', 'subnet-b', 'subnet-c'] }),
    ]);
    expect(of(AWS.listener).map((l) => [l.inputs.port, l.inputs.protocol])).toEqual([
      [80, 'TCP'],
      [443, 'TCP'],
    ]);
    expect(of(AWS.attachment).map((a) => `${a.inputs.targetId}:${a.inputs.port}`).sort()).toEqual(
      ['lb-proxy-1-id:80', 'lb-proxy-2-id:80', 'lb-proxy-3-id:80', 'lb-proxy-1-id:443', 'lb-proxy-2-id:443', 'lb-proxy-3-id:443'].sort(),
    );
    expect(of(AWS.eip)).toEqual([]);
  });

  test('security groups: 80/443 from 0.0.0.0/0 and ::/0 to the proxies only, app ports from the proxy group only', () => {
    expect(ingressRules(graph).filter((r) => r.startsWith('lb-')).sort()).toEqual(
      [
        'lb-app tcp 4000-4002 sg:lb-proxy',
        'lb-proxy tcp 80-80 0.0.0.0/0',
        'lb-proxy tcp 80-80 ::/0',
        'lb-proxy tcp 443-443 0.0.0.0/0',
        'lb-proxy tcp 443-443 ::/0',
      ].sort(),
    );
  });

  test('IMDSv2, encrypted roots; the proxies have IPv6 addresses, the app VMs do not', () => {
    for (const vm of of(AWS.instance)) {
      expect(vm.inputs.metadataOptions.httpTokens).toBe('required');
      expect(vm.inputs.rootBlockDevice.encrypted).toBe(true);
      expect(vm.inputs.ipv6AddressCount).toBe(vm.name.startsWith('lb-proxy-') ? 1 : undefined);
    }
  });

  test('A and AAAA alias records at the load balancer, in the given zone', () => {
    const byName = (a: unknown[], b: unknown[]) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`);
    expect(of(AWS.record).map((r) => [r.inputs.name, r.inputs.type, r.inputs.zoneId, r.inputs.aliases, r.inputs.records]).sort(byName)).toEqual(
      ['example.com', 'www.example.com'].flatMap((name) =>
        ['A', 'AAAA'].map((type) => [name, type, 'ZGIVEN', [{ name: NLB_DNS, zoneId: NLB_ZONE, evaluateTargetHealth: true }], undefined]),
      ),
    );
    expect(out.proxyAddress).toBe(NLB_DNS);
  });

  test("every proxy serves the supplied certificates; the config passes the proxy's validation in full; no DNS rights", () => {
    const config = JSON.parse(out.proxyConfig);
    expect(configIssues(config)).toEqual([]);
    expect(config.listeners[1]).toMatchObject({ name: 'https', port: 8443, tls: { certificates: [{ cert: '/etc/portico/tls/cert.pem', key: '/etc/portico/tls/key.pem' }] } });
    expect(config.acme).toBeUndefined();
    for (const vm of of(AWS.instance).filter((v) => v.name.startsWith('lb-proxy-'))) {
      expect(cloudConfigOf(vm).write_files!.find((f) => f.path === '/usr/local/bin/portico-sync')!.content).toContain('fetch tls/key.pem /etc/portico/tls/key.pem');
    }
    const policy = JSON.stringify(JSON.parse(graph.get(AWS.rolePolicy, 'lb-proxy-access').inputs.policy));
    expect(policy).not.toContain('route53');
    // Nothing to write: no ACME state.
    expect(policy).not.toContain('s3:PutObject');
    // A prebuilt image outside ECR: the app role gets no ECR access at all.
    expect(JSON.stringify(JSON.parse(graph.get(AWS.rolePolicy, 'lb-app-access').inputs.policy))).not.toContain('"Allow"');
  });

  test('the images are built for arm64 when the types are Graviton', () => {
    expect(graph.ofType(AWS.image).filter((i) => i.name.startsWith('lb-')).map((i) => [i.name, i.inputs.platforms])).toEqual([['lb-proxy', ['linux/arm64']]]);
    expect(out.urls).toEqual(['https://example.com/', 'https://www.example.com/']);
  });
});

describe('aws target, certificates supplied as Pulumi secrets', () => {
  let config: string;

  beforeAll(async () => {
    const plan = planStack({ stackName: 'crt', target: 'aws', cores: 2, hostnames: ['secure.example.com'] });
    const root = new pulumi.ComponentResource('test:index:Root', 'crt-root');
    const stack = deployAwsStack(
      'crt',
      plan,
      { ipv6: true, appInstanceType: 'c7g.large', tls: { mode: 'certificates', certificatePem: 'CERT', privateKeyPem: pulumi.secret('KEY') }, dns: { zoneId: 'ZCRT', ttl: 60 } },
      root,
    );
    config = await valueOf(stack.proxyConfig);
    await graph.settled();
  });

  test('the key goes to S3 as a secret, the proxy fetches both files and its config names them', () => {
    const key = graph.ofType(AWS.object).find((o) => o.name.startsWith('crt-') && o.inputs.key === 'proxy/tls/key.pem')!;
    expect(isSecretInput(key.inputs.content)).toBe(true);
    expect(JSON.parse(config).listeners[1].tls).toEqual({ certificates: [{ cert: '/etc/portico/tls/cert.pem', key: '/etc/portico/tls/key.pem' }] });
    expect(configIssues(JSON.parse(config))).toEqual([]);
    const sync = cloudConfigOf(graph.get(AWS.instance, 'crt-proxy-1')).write_files!.find((f) => f.path === '/usr/local/bin/portico-sync')!.content;
    expect(sync).toContain('fetch tls/key.pem /etc/portico/tls/key.pem');
    // 0600 (umask 077) and owned by the proxy container's user, which runs unprivileged.
    expect(sync).toContain('umask 077');
    expect(sync).toContain('chown 1000:1000 /etc/portico/tls/cert.pem /etc/portico/tls/key.pem');
    expect(sync).not.toContain('acme');
  });

  test('one proxy with IPv6: A at the Elastic IP and AAAA at the proxy VM, with the TTL asked for', () => {
    const records = graph.ofType(AWS.record).filter((r) => r.name.startsWith('crt-'));
    expect(records.map((r) => [r.inputs.type, r.inputs.records, r.inputs.ttl]).sort()).toEqual([
      ['A', ['203.0.113.10'], 60],
      ['AAAA', [ipv6Of('crt-proxy-1')], 60],
    ]);
    const v6 = graph.ofType(AWS.subnet).filter((s) => s.name.startsWith('crt-')).map((s) => s.inputs.ipv6CidrBlock);
    expect(v6).toEqual(['2600:1f18:abc:de00::/64', '2600:1f18:abc:de01::/64']);
  });
});
