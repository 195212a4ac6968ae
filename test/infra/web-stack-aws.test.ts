// WebStack with target aws under mocks: the user's app built and pushed to ECR, app VMs sized by
// the mocked vCPUs of their type, its secretEnv in S3 for the app VMs only (never in user data),
// the recorded graph (VMs, security groups, DNS) and every output resolved.
import { WebStack } from '../../infra/components/web-stack';
import { envFile } from '../../infra/targets/aws/app-secrets';
import { AWS, cloudConfigOf, dockerRuns, flagValues, ingressRules, objectContent } from './aws-graph';
import { awsMocks, ELASTIC_IP, privateIpOf, REGISTRY } from './aws-mocks';
import { installPulumiMocks, isSecretInput, plainInput, valueOf, type RecordedResource } from './pulumi-harness';

const graph = installPulumiMocks(awsMocks({ 'c7i.xlarge': 4, 't3.small': 2 }));
const SECRET = 'sk_live_do-not-leak';

describe('WebStack on aws, sized by the app VM type', () => {
  let stack: WebStack;
  let out: {
    urls: string[];
    httpsUrls: string[];
    proxyUrl: string;
    proxyHttpsUrl: string;
    appAddresses: string[];
    instanceCount: number;
    networkName: string;
    proxyConfig: string;
    caCertPem: string;
    dashboardUrl: string;
    dashboardCommand: string;
    appVmIds: string[];
  };

  beforeAll(async () => {
    stack = new WebStack('shop', {
      target: 'aws',
      app: {
        build: { context: 'shop', dockerfile: 'web.Dockerfile', args: { NODE_IMAGE: 'node:22-slim' } },
        port: 4000,
        healthPath: '/ready',
        env: { SHOP_NAME: 'Demo', API_KEY: 'plain-loses', PORT: '1' },
        secretEnv: { API_KEY: SECRET, PORT: '2' },
      },
      hostnames: ['shop.example.com'],
      aws: { appVms: 2, appInstanceType: 'c7i.xlarge', dns: { zoneId: 'ZSHOP', ttl: 60 }, tls: { staging: true } },
    });
    const [urls, httpsUrls, proxyUrl, proxyHttpsUrl, appAddresses, instanceCount, networkName, proxyConfig, caCertPem, dashboardUrl, dashboardCommand, appVmIds] = await Promise.all([
      valueOf(stack.urls),
      valueOf(stack.httpsUrls),
      valueOf(stack.proxyUrl),
      valueOf(stack.proxyHttpsUrl),
      valueOf(stack.appAddresses),
      valueOf(stack.instanceCount),
      valueOf(stack.networkName),
      valueOf(stack.proxyConfig),
      valueOf(stack.caCertPem),
      valueOf(stack.dashboardUrl),
      valueOf(stack.dashboardCommand),
      valueOf(stack.appVmIds),
    ]);
    out = { urls, httpsUrls, proxyUrl, proxyHttpsUrl, appAddresses, instanceCount, networkName, proxyConfig, caCertPem, dashboardUrl, dashboardCommand, appVmIds };
    await graph.settled();
  });

  const appVms = () => graph.ofType(AWS.instance).filter((i) => i.name.startsWith('shop-vm-'));
  const proxyVm = () => graph.get(AWS.instance, 'shop-proxy-1');
  const root = () => graph.get('portico:index:WebStack', 'shop');
  const descendsFromRoot = (r: RecordedResource) => {
    const byUrn = new Map(graph.resources.map((x) => [x.urn, x]));
    let at: RecordedResource | undefined = r;
    while (at && at.parent !== root().urn) at = byUrn.get(at.parent);
    return at !== undefined;
  };

  test('two app VMs of the given type and one proxy VM, all under the component', () => {
    expect(appVms().map((vm) => [vm.name, vm.inputs.instanceType])).toEqual([
      ['shop-vm-1', 'c7i.xlarge'],
      ['shop-vm-2', 'c7i.xlarge'],
    ]);
    expect(proxyVm().inputs.instanceType).toBe('t3.small');
    for (const r of graph.resources.filter((x) => x !== root())) expect([r.name, descendsFromRoot(r)]).toEqual([r.name, true]);
  });

  test("one app container per vCPU of the type on each VM, on the app's port and up, running the user's image from ECR", () => {
    expect(stack.plan.apps).toHaveLength(2 * 4);
    for (const vm of appVms()) {
      const runs = dockerRuns(cloudConfigOf(vm));
      expect(runs.map((r) => flagValues(r, '--publish'))).toEqual([['4000:4000/tcp'], ['4001:4001/tcp'], ['4002:4002/tcp'], ['4003:4003/tcp']]);
      for (const run of runs) expect(run.at(-1)).toMatch(new RegExp(`^${REGISTRY.replace(/\./g, '\\.')}/shop-app@sha256:[0-9a-f]{64}$`));
    }
  });

  test("builds the user's app from its own context and Dockerfile and pushes it to the stack's ECR repository", () => {
    const image = graph.get(AWS.image, 'shop-app');
    expect(image.inputs).toMatchObject({ push: true, context: { location: 'shop' }, dockerfile: { location: 'shop/web.Dockerfile' }, buildArgs: { NODE_IMAGE: 'node:22-slim' } });
    expect(image.inputs.tags).toEqual([`${REGISTRY}/shop-app:latest`]);
    expect(graph.ofType(AWS.repository).map((r) => r.name).sort()).toEqual(['shop-app', 'shop-proxy']);
  });

  test("the proxy's health check asks the app's health path, on every VM × vCPU address", () => {
    const upstream = JSON.parse(out.proxyConfig).upstreams.app;
    expect(upstream.healthCheck).toMatchObject({ uri: '/ready', mandatory: true });
    const expected = ['shop-vm-1', 'shop-vm-2'].flatMap((vm) => [4000, 4001, 4002, 4003].map((port) => `${privateIpOf(vm)}:${port}`));
    expect(out.appAddresses).toEqual(expected);
    expect(upstream.servers.map((s: { address: string }) => s.address)).toEqual(expected);
    expect(out.proxyConfig).toBe(objectContent(graph, 'proxy/config.json'));
  });

  test('security groups: 80/443 from anywhere to the proxy only, the app ports from the proxy group only', () => {
    expect(ingressRules(graph).sort()).toEqual(['shop-app tcp 4000-4003 sg:shop-proxy', 'shop-proxy tcp 443-443 0.0.0.0/0', 'shop-proxy tcp 80-80 0.0.0.0/0'].sort());
    for (const vm of appVms()) expect(vm.inputs.vpcSecurityGroupIds).toEqual(['shop-app-id']);
    expect(proxyVm().inputs.vpcSecurityGroupIds).toEqual(['shop-proxy-id']);
  });

  test('DNS: an A record per hostname at the Elastic IP in the given zone, with the given TTL', () => {
    expect(graph.ofType(AWS.record).map((r) => [r.inputs.name, r.inputs.type, r.inputs.zoneId, r.inputs.records, r.inputs.ttl])).toEqual([
      ['shop.example.com', 'A', 'ZSHOP', [ELASTIC_IP], 60],
    ]);
  });

  describe("the app's secretEnv", () => {
    const envObject = () => graph.ofType(AWS.object).find((o) => o.inputs.key === 'app/app.env')!;

    test('is an env file in the stack bucket, secret in the state, without the variables the plan sets', () => {
      expect(envObject().inputs).toMatchObject({ bucket: 'shop-files-id', serverSideEncryption: 'AES256' });
      expect(isSecretInput(envObject().inputs.content)).toBe(true);
      expect(plainInput(envObject().inputs.content)).toBe(`API_KEY=${SECRET}\n`);
      // Written once versioning is on, so it has the version the VMs ask for.
      expect(envObject().dependencies).toContain(graph.get('aws:s3/bucketVersioning:BucketVersioning', 'shop-files').urn);
    });

    test('never appears in user data: each VM fetches that object version with its role, before the containers start', () => {
      for (const vm of [...appVms(), proxyVm()]) expect(String(vm.inputs.userData)).not.toContain(SECRET);
      const config = cloudConfigOf(appVms()[0]);
      const steps = (config.runcmd ?? []).map((c) => (Array.isArray(c) ? c.join(' ') : c));
      const fetch = steps.findIndex((s) => s.includes('aws s3api get-object'));
      expect(steps[fetch]).toMatch(
        /^sh -c umask 077 && mkdir -p \/etc\/portico && aws s3api get-object --region 'eu-west-1' --bucket 'shop-files-bucket' --key 'app\/app.env' --version-id 'v-[0-9a-f]{12}' '\/etc\/portico\/app.env' >\/dev\/null$/,
      );
      expect(fetch).toBeLessThan(steps.findIndex((s) => s.startsWith('docker run')));
    });

    test('reaches every container through --env-file; the secret wins over a plain env of the same name, the plan over both', () => {
      for (const run of dockerRuns(cloudConfigOf(appVms()[1]))) {
        expect(flagValues(run, '--env-file')).toEqual(['/etc/portico/app.env']);
        const env = flagValues(run, '--env');
        expect(env).toContain('SHOP_NAME=Demo');
        expect(env.filter((e) => e.startsWith('API_KEY='))).toEqual([]);
        expect(env.filter((e) => e.startsWith('PORT='))).toHaveLength(1);
        expect(run.indexOf('--env-file')).toBeLessThan(run.indexOf('--env'));
      }
    });

    test('only the app role may read it (and its versions); the proxy role keeps to its own prefix', () => {
      const app = JSON.parse(graph.get(AWS.rolePolicy, 'shop-app-access').inputs.policy);
      const s3 = app.Statement.filter((s: { Action: string | string[] }) => String(s.Action).includes('s3:'));
      expect(s3).toEqual([
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::shop-files-bucket', Condition: { StringLike: { 's3:prefix': ['app/*'] } } },
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: 'arn:aws:s3:::shop-files-bucket/app/*' },
      ]);
      const proxy = graph.get(AWS.rolePolicy, 'shop-proxy-access').inputs.policy as string;
      expect(proxy).not.toContain('/app/');
    });
  });

  test('outputs resolve: https URL, the Elastic IP, addresses, count, VPC, VM ids, the dashboard through SSM', () => {
    expect(out.urls).toEqual(['https://shop.example.com/']);
    expect(out.httpsUrls).toEqual(['https://shop.example.com/']);
    expect(out.proxyUrl).toBe(`http://${ELASTIC_IP}/`);
    expect(out.proxyHttpsUrl).toBe(`https://${ELASTIC_IP}/`);
    expect(out.instanceCount).toBe(8);
    expect(out.networkName).toBe('shop-vpc-id');
    expect(out.appVmIds).toEqual(['shop-vm-1-id', 'shop-vm-2-id']);
    expect(out.caCertPem).toBe('');
    expect(out.dashboardCommand).toContain('aws ssm start-session --region eu-west-1 --target shop-proxy-1-id --document-name AWS-StartPortForwardingSession');
    const token = plainInput<string>(graph.ofType(AWS.object).find((o) => o.inputs.key === 'proxy/proxy.env')!.inputs.content).match(/PORTICO_ADMIN_TOKEN=(\w+)/)![1];
    expect(out.dashboardUrl).toBe(`http://127.0.0.1:9901/#token=${token}`);
    const registered = root().outputs ?? {};
    expect(Object.keys(registered).sort()).toEqual(
      ['appAddresses', 'appVmIds', 'caCertPem', 'dashboardCommand', 'dashboardUrl', 'httpsUrls', 'instanceCount', 'networkName', 'proxyConfig', 'proxyHttpsUrl', 'proxyUrl', 'urls'],
    );
    expect(isSecretInput(registered.dashboardUrl)).toBe(true);
  });

  test('no local CA: certificates come from Let\'s Encrypt on aws', () => {
    expect(graph.ofType('portico:index:Certificate')).toEqual([]);
    expect(graph.ofType('tls:index/selfSignedCert:SelfSignedCert')).toEqual([]);
  });
});

describe('WebStack on aws with an explicit instance count', () => {
  let stack: WebStack;
  let planned: number;

  beforeAll(async () => {
    stack = new WebStack('fixed', { target: 'aws', instances: 1, app: { image: 'ghcr.example/acme/shop:1' }, aws: { appVms: 3, appInstanceType: 'c7i.xlarge', tls: { mode: 'off' } } });
    // Nothing to look up: the plan exists as the constructor returns.
    planned = stack.plan.apps.length;
    await valueOf(stack.urls);
    await graph.settled();
  });

  test('runs that many containers per VM whatever the vCPUs, from the prebuilt image, with no ECR repository for it', () => {
    expect(planned).toBe(3);
    const vms = graph.ofType(AWS.instance).filter((i) => i.name.startsWith('fixed-vm-'));
    expect(vms.map((vm) => dockerRuns(cloudConfigOf(vm)).map((r) => r.at(-1)))).toEqual([['ghcr.example/acme/shop:1'], ['ghcr.example/acme/shop:1'], ['ghcr.example/acme/shop:1']]);
    expect(graph.ofType(AWS.repository).filter((r) => r.name.startsWith('fixed-')).map((r) => r.name)).toEqual(['fixed-proxy']);
  });

  test('without a secretEnv there is no app env object, no env file and no bucket access for the app role', () => {
    expect(graph.ofType(AWS.object).map((o) => o.name).filter((n) => n.startsWith('fixed-app'))).toEqual([]);
    const [vm] = graph.ofType(AWS.instance).filter((i) => i.name === 'fixed-vm-1');
    expect(String(vm.inputs.userData)).not.toContain('get-object');
    expect(dockerRuns(cloudConfigOf(vm)).flatMap((r) => flagValues(r, '--env-file'))).toEqual([]);
    expect(graph.get(AWS.rolePolicy, 'fixed-app-access').inputs.policy).not.toContain('s3:');
  });

  test('TLS off: http URLs and port 80 only', async () => {
    expect(await valueOf(stack.urls)).toEqual(['http://localhost/']);
    expect(await valueOf(stack.httpsUrls)).toEqual([]);
    expect(await valueOf(stack.proxyHttpsUrl)).toBe('');
    expect(ingressRules(graph).filter((r) => r.startsWith('fixed-')).sort()).toEqual(['fixed-app tcp 3000-3000 sg:fixed-proxy', 'fixed-proxy tcp 80-80 0.0.0.0/0']);
  });
});

describe('the secret env file', () => {
  test('is one KEY=value line per variable, as docker run --env-file reads it', () => {
    expect(envFile([['A', 'x=y z'], ['B_2', '']])).toBe('A=x=y z\nB_2=\n');
  });

  test.each([
    ['a line break in a value', [['TOKEN', 'a\nB=evil']], 'app.secretEnv.TOKEN: a value cannot hold a line break or NUL'],
    ['a name that is no variable name', [['MY-KEY', 'v']], 'app.secretEnv: "MY-KEY" is not an environment variable name'],
  ] as const)('refuses %s, naming the variable', (_, entries, message) => {
    expect(() => envFile(entries)).toThrow(message);
  });

  test('never puts the refused value in the message', () => {
    expect(() => envFile([['TOKEN', 'hunter2\n']])).toThrow(expect.objectContaining({ message: expect.not.stringContaining('hunter2') }));
  });
});
