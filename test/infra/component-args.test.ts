// Components reject missing or conflicting args with one phrasing, before creating anything.
import { AppFleet, Certificate, EdgeProxy, WebStack } from '../../infra/components';
import { engineCores } from '../../infra/targets/docker';
import { installPulumiMocks, valueOf } from './pulumi-harness';

const graph = installPulumiMocks();
const app = { image: 'my/app:1' };

beforeEach(() => graph.reset());

async function nothingRegistered(): Promise<void> {
  await graph.settled();
  expect(graph.resources).toEqual([]);
}

describe('AppFleet args', () => {
  test('image and build conflict', async () => {
    expect(() => new AppFleet('f', { app: { image: 'app:1', build: { context: '.' } }, networkName: 'n', instances: 1 })).toThrow(
      'portico:index:AppFleet "f": only one of image, build can be given (got image and build)',
    );
    await nothingRegistered();
  });

  test('needs an app with an image or a build', async () => {
    expect(() => new AppFleet('f', { networkName: 'n' } as never)).toThrow('portico:index:AppFleet "f": app is required (an image or a build)');
    expect(() => new AppFleet('f', { app: {}, networkName: 'n' })).toThrow('portico:index:AppFleet "f": app needs an image or a build');
    await nothingRegistered();
  });

  test('needs a network', () => {
    expect(() => new AppFleet('f', { app } as never)).toThrow('portico:index:AppFleet "f": networkName is required');
  });

  test('runs a prebuilt image without building one, as many as asked, and reports their addresses', async () => {
    const fleet = new AppFleet('prebuilt', { app: { ...app, port: 8000 }, networkName: 'n', instances: 2 });
    expect(await valueOf(fleet.addresses)).toEqual(['prebuilt-app-1:8000', 'prebuilt-app-2:8000']);
    await graph.settled();
    expect(graph.ofType('docker:index/image:Image')).toEqual([]);
    expect(graph.ofType('docker:index/container:Container').map((c) => c.inputs.image)).toEqual(['my/app:1', 'my/app:1']);
  });
});

describe('EdgeProxy args', () => {
  test('a prebuilt proxy image conflicts with build settings', () => {
    expect(() => new EdgeProxy('p', { appAddresses: ['a:1'], networkName: 'n', proxy: { image: 'p:1', baseImage: 'x' } })).toThrow(
      'portico:index:EdgeProxy "p": proxy.image conflicts with proxy.baseImage and proxy.buildNetwork (they build the image)',
    );
  });

  test('needs app addresses and a network', async () => {
    expect(() => new EdgeProxy('p', { networkName: 'n' } as never)).toThrow('portico:index:EdgeProxy "p": appAddresses is required');
    expect(() => new EdgeProxy('p', { appAddresses: [], networkName: 'n' })).toThrow('portico:index:EdgeProxy "p": appAddresses must hold at least one host:port');
    expect(() => new EdgeProxy('p', { appAddresses: ['a:1'] } as never)).toThrow('portico:index:EdgeProxy "p": networkName is required');
    await nothingRegistered();
  });

  test('needs a certificate unless acme, and not both', async () => {
    expect(() => new EdgeProxy('p', { appAddresses: ['a:1'], networkName: 'n', tlsCertPem: 'C' })).toThrow(
      'portico:index:EdgeProxy "p": tlsCertPem and tlsKeyPem are required (a Certificate\'s certPem and privateKeyPem), unless acme',
    );
    expect(() => new EdgeProxy('p', { appAddresses: ['a:1'], networkName: 'n', tlsCertPem: 'C', tlsKeyPem: 'K', acme: true, hostnames: ['a.example.com'] })).toThrow(
      'portico:index:EdgeProxy "p": acme conflicts with tlsCertPem and tlsKeyPem: give one source of certificates',
    );
    await nothingRegistered();
  });

  test('balances over the given addresses, with stable server ids', async () => {
    const proxy = new EdgeProxy('edge', { appAddresses: ['shop-1:3000', 'shop-2:3000'], networkName: 'n', proxy: { image: 'portico:1' }, tlsCertPem: 'C', tlsKeyPem: 'K' });
    const config = JSON.parse(await valueOf(proxy.configJson));
    expect(config.upstreams.app.servers).toEqual([
      { address: 'shop-1:3000', id: 'app-1' },
      { address: 'shop-2:3000', id: 'app-2' },
    ]);
  });
});

describe('sizing from the Docker engine', () => {
  const ask = () => 6;

  test('is asked only when sizeToEngine is set', () => {
    let asked = 0;
    expect(engineCores('T', 'n', { instances: 3 }, () => (asked++, 6))).toBeUndefined();
    expect(engineCores('T', 'n', {}, () => (asked++, 6))).toBeUndefined();
    expect(asked).toBe(0);
    expect(engineCores('T', 'n', { sizeToEngine: true }, ask)).toBe(6);
  });

  test('conflicts with a count or cores, and fails clearly without an engine', () => {
    expect(() => engineCores('T', 'n', { sizeToEngine: true, instances: 2 }, ask)).toThrow('T "n": sizeToEngine conflicts with instances: give one way of sizing');
    expect(() => engineCores('T', 'n', { sizeToEngine: true }, () => null)).toThrow('T "n": sizeToEngine: cannot ask the Docker engine for its CPUs (docker info); give instances instead');
  });
});

describe('Certificate args', () => {
  test('needs hostnames', () => {
    expect(() => new Certificate('c', {} as never)).toThrow('portico:index:Certificate "c": hostnames is required');
  });

  test('applies defaults first, then the user\'s args', async () => {
    const cert = new Certificate('c', { hostnames: ['localhost'], validityHours: 48, organization: undefined });
    await valueOf(cert.certPem);
    await graph.settled();
    expect(graph.get('tls:index/locallySignedCert:LocallySignedCert', 'c').inputs).toMatchObject({ validityPeriodHours: 48, earlyRenewalHours: 720 });
    expect(graph.get('tls:index/selfSignedCert:SelfSignedCert', 'c-ca').inputs.subject).toEqual({ commonName: 'c local CA', organization: 'Portico' });
  });
});

describe('WebStack args', () => {
  test.each([
    ['local', 'target local runs without Pulumi: use `npm start`'],
    ['gcp', 'target must be one of docker, aws, local, got "gcp"'],
  ] as const)('target %s fails clearly', async (target, message) => {
    expect(() => new WebStack('w', { app, target, instances: 1 })).toThrow(message);
    await nothingRegistered();
  });

  test.each([
    ['sizeToEngine', { sizeToEngine: true }, 'sizeToEngine is for target docker: on aws each app VM runs one instance per vCPU'],
    ['an unknown TLS mode', { aws: { tls: { mode: 'self-signed' } } }, 'aws.tls.mode must be one of acme, certificates, off, got "self-signed"'],
    ['supplied certificates without the key', { aws: { tls: { mode: 'certificates', certificatePem: 'CERT' } } }, 'aws.tls.mode certificates needs aws.tls.certificatePem and aws.tls.privateKeyPem'],
    ['a VPC without its subnets', { aws: { vpcId: 'vpc-1' } }, 'aws.vpcId and aws.subnetIds go together'],
    ['zero proxy VMs', { aws: { proxyVms: 0 } }, 'aws.proxyVms must be an integer >= 1, got 0'],
    ['app VMs past the limit', { aws: { appVms: 101 } }, 'appVms must be an integer from 1 to 100, got 101'],
    ['supplied certificates left empty', { aws: { tls: { mode: 'certificates', certificatePem: '', privateKeyPem: '' } } }, 'aws.tls.mode certificates needs aws.tls.certificatePem and aws.tls.privateKeyPem (PEM, as Pulumi secrets): aws.tls.certificatePem is empty'],
    ['a supplied key of blanks', { aws: { tls: { mode: 'certificates', certificatePem: 'CERT', privateKeyPem: '  ' } } }, 'aws.tls.privateKeyPem is empty'],
    ['ACME for a wildcard name', { hostnames: ['*.example.com'] as string[], aws: { tls: { mode: 'acme' } } }, 'ACME cannot issue *.example.com: a wildcard name needs dns-01'],
    ['ACME for the default name localhost', {}, 'ACME needs public DNS names (hostnames), got "localhost"; use aws.tls.mode certificates (stack config awsTls: certificates), or aws.tls.mode off'],
  ] as const)('target aws refuses %s before anything is created', async (_, args, message) => {
    expect(() => new WebStack('w', { app, target: 'aws', ...args })).toThrow(message);
    await nothingRegistered();
  });

  test('invalid stack args fail with the plan\'s message before anything is created', async () => {
    expect(() => new WebStack('w', { app, instances: 0, httpPort: 99999 })).toThrow(
      'cannot plan stack "w": instances: instance count must be a whole number >= 1, got 0; httpPort must be a port number 1-65535, got 99999',
    );
    expect(() => new WebStack('w', { app, healthCheckInterval: '1ms', stickyCookieName: 'a b' })).toThrow(
      /sticky.cookieName must be a cookie name.*healthCheck.interval must be a duration/,
    );
    expect(() => new WebStack('w', { app: { image: 'x', healthPath: 'readyz' } })).toThrow('appHealthPath must be a request path starting with /');
    expect(() => new WebStack('w', {} as never)).toThrow('portico:index:WebStack "w": app is required (an image or a build)');
    await nothingRegistered();
  });
});
