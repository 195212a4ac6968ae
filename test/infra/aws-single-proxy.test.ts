// The aws target with one proxy VM behind an Elastic IP, in a new VPC, ACME certificates and a
// looked-up hosted zone: the resource graph recorded under mocks, user data parsed back.
import * as pulumi from '@pulumi/pulumi';
import { planStack, type StackPlan } from '../../infra/plan';
import { deployAwsStack, instanceVcpus, type AwsStack } from '../../infra/targets/aws';
import { configIssues } from '../../proxy/src/config/load';
import { AWS, cloudConfigOf, dockerRuns, flagValues, ingressRules, objectContent } from './aws-graph';
import { awsMocks, ELASTIC_IP, LOOKED_UP_ZONE, privateIpOf, REGISTRY } from './aws-mocks';
import { installPulumiMocks, isSecretInput, plainInput, valueOf } from './pulumi-harness';

const graph = installPulumiMocks(awsMocks({ 't3.xlarge': 4, 't3.small': 2 }));

describe('aws target, one proxy VM with an Elastic IP', () => {
  let plan: StackPlan;
  let stack: AwsStack;
  let root: pulumi.ComponentResource;
  let out: { urls: string[]; proxyAddress: string; appVmIds: string[]; proxyConfig: string; dashboardCommand: string; adminToken?: string };

  beforeAll(async () => {
    const cores = await instanceVcpus('t3.xlarge');
    plan = planStack({ stackName: 'web', target: 'aws', cores, appVms: 3, hostnames: ['shop.example.com', 'www.shop.example.com'] });
    root = new pulumi.ComponentResource('test:index:Root', 'root');
    stack = deployAwsStack(
      'web',
      plan,
      { appInstanceType: 't3.xlarge', dns: { zoneName: 'shop.example.com' }, tls: { staging: true, email: 'ops@example.com' } },
      root,
    );
    out = {
      urls: await valueOf(stack.urls),
      proxyAddress: await valueOf(stack.proxyAddress),
      appVmIds: await valueOf(stack.appVmIds),
      proxyConfig: await valueOf(stack.proxyConfig),
      dashboardCommand: await valueOf(stack.dashboardCommand),
      adminToken: await valueOf(stack.adminToken),
    };
    await graph.settled();
  });

  const instances = () => graph.ofType(AWS.instance);
  const appVms = () => instances().filter((i) => i.name.startsWith('web-vm-'));
  const proxyVm = () => graph.get(AWS.instance, 'web-proxy-1');

  test('runs the configured number of app VMs of the configured type, and one proxy VM', () => {
    expect(appVms().map((i) => [i.name, i.inputs.instanceType])).toEqual([
      ['web-vm-1', 't3.xlarge'],
      ['web-vm-2', 't3.xlarge'],
      ['web-vm-3', 't3.xlarge'],
    ]);
    expect(instances().map((i) => i.name).sort()).toEqual(['web-proxy-1', 'web-vm-1', 'web-vm-2', 'web-vm-3']);
    expect(proxyVm().inputs.instanceType).toBe('t3.small');
  });

  test('plans one app instance per vCPU of the mocked instance type on every VM', () => {
    expect(plan.apps).toHaveLength(3 * 4);
    for (const vm of [0, 1, 2]) expect(plan.apps.filter((a) => a.vm === vm).map((a) => a.port)).toEqual([3000, 3001, 3002, 3003]);
  });

  test('each app VM runs one app container per vCPU, each on its own port, restarted by Docker', () => {
    for (const vm of appVms()) {
      const runs = dockerRuns(cloudConfigOf(vm));
      expect(runs).toHaveLength(4);
      expect(runs.map((r) => flagValues(r, '--publish'))).toEqual([['3000:3000/tcp'], ['3001:3001/tcp'], ['3002:3002/tcp'], ['3003:3003/tcp']]);
      expect(runs.map((r) => flagValues(r, '--env').filter((e) => e.startsWith('PORT=')))).toEqual([['PORT=3000'], ['PORT=3001'], ['PORT=3002'], ['PORT=3003']]);
      for (const run of runs) {
        expect(flagValues(run, '--restart')).toEqual(['unless-stopped']);
        expect(run.at(-1)).toMatch(new RegExp(`^${REGISTRY.replace(/\./g, '\\.')}/web-app@sha256:[0-9a-f]{64}$`));
      }
    }
  });

  test('app VM user data installs Docker and logs in to ECR with the instance profile before running', () => {
    const config = cloudConfigOf(appVms()[0]);
    expect(config.packages).toEqual(['docker']);
    const steps = (config.runcmd ?? []).map((c) => (Array.isArray(c) ? c.join(' ') : c));
    const login = steps.findIndex((s) => s.includes(`aws ecr get-login-password --region 'eu-west-1' | docker login --username AWS --password-stdin '${REGISTRY}'`));
    const firstRun = steps.findIndex((s) => s.startsWith('docker run'));
    expect(steps[0]).toBe('systemctl enable --now docker');
    expect(login).toBeGreaterThan(0);
    expect(firstRun).toBeGreaterThan(login);
    expect(String(appVms()[0].inputs.userData)).not.toMatch(/ecr-token|PORTICO_STICKY_KEY|PORTICO_ADMIN_TOKEN/);
  });

  test("the proxy's upstream lists every app VM's private address × port, the same config in S3 and in the output", () => {
    const config = JSON.parse(objectContent(graph, 'proxy/config.json'));
    const expected = ['web-vm-1', 'web-vm-2', 'web-vm-3'].flatMap((vm) => [3000, 3001, 3002, 3003].map((port) => `${privateIpOf(vm)}:${port}`));
    expect(config.upstreams.app.servers.map((s: { address: string }) => s.address)).toEqual(expected);
    expect(config.upstreams.app.servers.map((s: { id: string }) => s.id)).toEqual(plan.apps.map((a) => a.id));
    expect(out.proxyConfig).toBe(objectContent(graph, 'proxy/config.json'));
  });

  test("the proxy config passes the proxy's own validation in full: an ACME listener and the top-level acme", () => {
    const config = JSON.parse(out.proxyConfig);
    expect(configIssues(config)).toEqual([]);
    expect(config.listeners.map((l: { name: string; port: number; tls?: unknown }) => [l.name, l.port, l.tls])).toEqual([
      ['http', 8080, undefined],
      ['https', 8443, { acme: true }],
    ]);
    expect(config.acme).toEqual({
      hostnames: ['shop.example.com', 'www.shop.example.com'],
      email: 'ops@example.com',
      directory: 'https://acme-staging-v02.api.letsencrypt.org/directory',
      storage: '/var/lib/portico/acme',
      mode: 'order',
    });
    expect(config.admin).toEqual({ listen: '0.0.0.0:9901', requireToken: true });
  });

  test('security groups: 80/443 from the internet to the proxy only, app ports from the proxy group only, nothing else', () => {
    expect(ingressRules(graph).sort()).toEqual(
      ['web-app tcp 3000-3003 sg:web-proxy', 'web-proxy tcp 443-443 0.0.0.0/0', 'web-proxy tcp 80-80 0.0.0.0/0'].sort(),
    );
    for (const sg of graph.ofType(AWS.sg)) expect(sg.inputs.ingress ?? []).toEqual([]);
    expect(proxyVm().inputs.vpcSecurityGroupIds).toEqual(['web-proxy-id']);
    for (const vm of appVms()) expect(vm.inputs.vpcSecurityGroupIds).toEqual(['web-app-id']);
  });

  test('every instance requires IMDSv2, encrypts its root volume and has no SSH key', () => {
    for (const vm of instances()) {
      expect(vm.inputs.metadataOptions).toMatchObject({ httpTokens: 'required', httpPutResponseHopLimit: 1 });
      expect(vm.inputs.rootBlockDevice).toMatchObject({ encrypted: true });
      expect(vm.inputs.keyName).toBeUndefined();
      expect(vm.inputs.userDataReplaceOnChange).toBe(true);
    }
  });

  test('the proxy VM has the Elastic IP, and DNS A records point at it in the looked-up zone', () => {
    expect(graph.get(AWS.eip, 'web-proxy').inputs.instance).toBe('web-proxy-1-id');
    const records = graph.ofType(AWS.record).map((r) => [r.inputs.name, r.inputs.type, r.inputs.zoneId, r.inputs.records, r.inputs.ttl]);
    expect(records).toEqual([
      ['shop.example.com', 'A', LOOKED_UP_ZONE, [ELASTIC_IP], 300],
      ['www.shop.example.com', 'A', LOOKED_UP_ZONE, [ELASTIC_IP], 300],
    ]);
  });

  test('the proxy VM runs the proxy on 80 and 443, the admin port on its loopback only, and keeps its files in step with S3', () => {
    const config = cloudConfigOf(proxyVm());
    const [run] = dockerRuns(config);
    expect(flagValues(run, '--publish')).toEqual(['80:8080/tcp', '443:8443/tcp', '127.0.0.1:9901:9901/tcp']);
    expect(flagValues(run, '--restart')).toEqual(['unless-stopped']);
    expect(run.at(-1)).toMatch(/\/web-proxy@sha256:[0-9a-f]{64}$/);
    const sync = config.write_files!.find((f) => f.path === '/usr/local/bin/portico-sync')!;
    expect(sync.content).toContain("BASE='s3://web-files-bucket/proxy'");
    expect(sync.content).toContain(`aws s3 sync --only-show-errors --no-follow-symlinks --exclude '*.tmp' /var/lib/portico/acme "$BASE/acme"`);
    expect(sync.content).toContain('docker kill --signal HUP portico-proxy');
    expect(config.write_files!.map((f) => f.path)).toContain('/etc/systemd/system/portico-sync.timer');
    expect(config.runcmd).toContainEqual(['systemctl', 'enable', '--now', 'portico-sync.timer']);
  });

  test("the proxy runs unprivileged and owns the ACME directory it writes, restored from S3 before it starts", () => {
    const config = cloudConfigOf(proxyVm());
    const [run] = dockerRuns(config);
    expect(flagValues(run, '--user')).toEqual(['1000:1000']);
    expect(flagValues(run, '--mount')).toContain('type=bind,source=/var/lib/portico/acme,target=/var/lib/portico/acme');
    const sync = config.write_files!.find((f) => f.path === '/usr/local/bin/portico-sync')!.content.split('\n');
    const down = sync.findIndex((l) => l.includes('aws s3 sync --only-show-errors "$BASE/acme" /var/lib/portico/acme'));
    const chown = sync.indexOf('chown -R 1000:1000 /var/lib/portico/acme');
    const bootExit = sync.indexOf('if [ "${1:-}" = --boot ]; then exit 0; fi');
    expect(down).toBeGreaterThan(0);
    expect(chown).toBeGreaterThan(down);
    expect(bootExit).toBeGreaterThan(chown);
    const steps = (config.runcmd ?? []).map((c) => (Array.isArray(c) ? c.join(' ') : c));
    const boot = steps.indexOf('/usr/local/bin/portico-sync --boot');
    expect(boot).toBeGreaterThan(0);
    expect(boot).toBeLessThan(steps.findIndex((s) => s.startsWith('docker run')));
  });

  test('one sticky key and one admin token, secrets in S3 only, never in user data or the config', () => {
    const env = graph.ofType(AWS.object).find((o) => o.inputs.key === 'proxy/proxy.env')!;
    expect(isSecretInput(env.inputs.content)).toBe(true);
    expect(plainInput<string>(env.inputs.content)).toMatch(/^PORTICO_STICKY_KEY=[A-Za-z0-9]{32}\nPORTICO_ADMIN_TOKEN=[A-Za-z0-9]{32}\n$/);
    expect(graph.ofType('random:index/randomPassword:RandomPassword').map((p) => p.name).sort()).toEqual(['web-admin-token', 'web-sticky-key']);
    const token = plainInput<string>(env.inputs.content).match(/PORTICO_ADMIN_TOKEN=(\w+)/)![1];
    expect(out.adminToken).toBe(token);
    expect(out.proxyConfig).not.toContain(token);
    expect(String(proxyVm().inputs.userData)).not.toContain(token);
  });

  test('the bucket is private, encrypted and versioned; the proxy role reaches only its prefix', () => {
    expect(graph.get('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock', 'web-files').inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(graph.get('aws:s3/bucketVersioning:BucketVersioning', 'web-files').inputs.versioningConfiguration).toEqual({ status: 'Enabled' });
    expect(graph.get('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration', 'web-files').inputs.rules).toHaveLength(1);
    const policy = JSON.parse(graph.get(AWS.rolePolicy, 'web-proxy-access').inputs.policy);
    const s3 = policy.Statement.filter((s: { Action: string | string[] }) => String(s.Action).includes('s3:'));
    expect(s3.map((s: { Resource: string }) => s.Resource)).toEqual([
      'arn:aws:s3:::web-files-bucket',
      'arn:aws:s3:::web-files-bucket/proxy/*',
      'arn:aws:s3:::web-files-bucket/proxy/acme/*',
    ]);
    expect(JSON.stringify(policy)).not.toContain('route53');
  });

  test('the app role may pull the app image and use SSM, nothing more', () => {
    const policy = JSON.parse(graph.get(AWS.rolePolicy, 'web-app-access').inputs.policy);
    expect(policy.Statement).toEqual([
      { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      {
        Effect: 'Allow',
        Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        Resource: ['arn:aws:ecr:eu-west-1:123456789012:repository/web-app'],
      },
    ]);
    const managed = graph.ofType(AWS.policyAttachment).map((a) => [a.name, a.inputs.policyArn]);
    expect(managed).toEqual([
      ['web-app-ssm', 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore'],
      ['web-proxy-ssm', 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore'],
    ]);
  });

  test('a new VPC with a public subnet in each of two zones', () => {
    expect(graph.get(AWS.vpc, 'web-vpc').inputs.cidrBlock).toBe('10.0.0.0/16');
    expect(graph.ofType(AWS.subnet).map((s) => [s.inputs.cidrBlock, s.inputs.availabilityZone])).toEqual([
      ['10.0.0.0/24', 'eu-west-1a'],
      ['10.0.1.0/24', 'eu-west-1b'],
    ]);
    expect(appVms().map((vm) => vm.inputs.subnetId)).toEqual(['web-public-1-id', 'web-public-2-id', 'web-public-1-id']);
  });

  test('outputs: https URLs, the Elastic IP, app VM ids, the SSM port-forwarding command', () => {
    expect(out.urls).toEqual(['https://shop.example.com/', 'https://www.shop.example.com/']);
    expect(out.proxyAddress).toBe(ELASTIC_IP);
    expect(out.appVmIds).toEqual(['web-vm-1-id', 'web-vm-2-id', 'web-vm-3-id']);
    expect(out.dashboardCommand).toContain('aws ssm start-session --region eu-west-1 --target web-proxy-1-id --document-name AWS-StartPortForwardingSession');
    expect(out.dashboardCommand).toContain('"portNumber":["9901"]');
  });

  test('every resource descends from the parent given', () => {
    const byUrn = new Map(graph.resources.map((r) => [r.urn, r]));
    for (const r of graph.resources.filter((r) => r.type !== 'test:index:Root')) {
      let at = r;
      while (at.parent && byUrn.get(at.parent)?.type !== 'test:index:Root') at = byUrn.get(at.parent)!;
      expect([r.name, byUrn.get(at.parent)?.type]).toEqual([r.name, 'test:index:Root']);
    }
  });
});
