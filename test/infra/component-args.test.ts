// Components reject missing or conflicting args with one phrasing, before creating anything.
import { AppFleet, Certificate, EdgeProxy, WebStack } from '../../infra/components';
import { dockerContainers, planStack } from '../../infra/plan';
import { installPulumiMocks, valueOf } from './pulumi-harness';

const graph = installPulumiMocks();
const specs = dockerContainers(planStack({ stackName: 'web', target: 'docker', instances: 2 }));
const apps = specs.filter((s) => s.role === 'app');
const proxy = specs.find((s) => s.role === 'proxy')!;

beforeEach(() => graph.reset());

async function nothingRegistered(): Promise<void> {
  await graph.settled();
  expect(graph.resources).toEqual([]);
}

describe('AppFleet args', () => {
  test('image and build conflict', async () => {
    expect(() => new AppFleet('f', { containers: apps, network: 'n', image: 'app:1', build: {} })).toThrow(
      'portico:index:AppFleet "f": only one of image, build can be given (got image and build)',
    );
    await nothingRegistered();
  });

  test('needs at least one container', async () => {
    expect(() => new AppFleet('f', { containers: [], network: 'n' })).toThrow(
      'portico:index:AppFleet "f": containers must hold at least one app container',
    );
    await nothingRegistered();
  });

  test('takes app containers only', () => {
    expect(() => new AppFleet('f', { containers: [proxy], network: 'n' })).toThrow(
      'portico:index:AppFleet "f": containers[0] (web-proxy) has role proxy, not app',
    );
  });

  test('needs a network', () => {
    expect(() => new AppFleet('f', { containers: apps } as never)).toThrow('portico:index:AppFleet "f": network is required');
  });

  test('runs a prebuilt image without building one', async () => {
    const fleet = new AppFleet('prebuilt', { containers: apps, network: 'n', image: 'my/app:1' });
    await valueOf(fleet.containerNames);
    await graph.settled();
    expect(graph.ofType('docker:index/image:Image')).toEqual([]);
    expect(graph.ofType('docker:index/container:Container').map((c) => c.inputs.image)).toEqual(['my/app:1', 'my/app:1']);
  });
});

describe('EdgeProxy args', () => {
  test('image and build conflict', () => {
    expect(() => new EdgeProxy('p', { container: proxy, network: 'n', image: 'p:1', build: { baseImage: 'x' } })).toThrow(
      'portico:index:EdgeProxy "p": only one of image, build can be given (got image and build)',
    );
  });

  test('needs a container, and the proxy one', () => {
    expect(() => new EdgeProxy('p', { network: 'n' } as never)).toThrow('portico:index:EdgeProxy "p": container is required');
    expect(() => new EdgeProxy('p', { container: apps[0], network: 'n' })).toThrow(
      'portico:index:EdgeProxy "p": container web-app-1 has role app, not proxy',
    );
  });

  test('needs the config file the container is told to read', async () => {
    expect(() => new EdgeProxy('p', { container: { ...proxy, files: [] }, network: 'n' })).toThrow(
      'portico:index:EdgeProxy "p": container web-proxy has no file at PORTICO_CONFIG (/etc/portico/config.json)',
    );
    await nothingRegistered();
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
    ['aws', 'target aws is not implemented yet'],
    ['local', 'target local runs without Pulumi: use `npm start`'],
  ] as const)('target %s fails clearly', async (target, message) => {
    expect(() => new WebStack('w', { target, instances: 1 })).toThrow(message);
    await nothingRegistered();
  });

  test('invalid stack args fail with the plan\'s message before anything is created', async () => {
    expect(() => new WebStack('w', { instances: 0, httpPort: 99999 })).toThrow(
      'cannot plan stack "w": instances: instance count must be a whole number >= 1, got 0; httpPort must be a port number 1-65535, got 99999',
    );
    expect(() => new WebStack('w', {})).toThrow('instances or cores must be given');
    await nothingRegistered();
  });
});
