import { PlanError, planStack, type StackArgs } from '../../infra/plan';

const args = (more: Partial<StackArgs>): StackArgs => ({ stackName: 'web', target: 'docker', instances: 1, ...more });

function issuesOf(stackArgs: StackArgs): readonly string[] {
  try {
    planStack(stackArgs);
  } catch (err) {
    if (err instanceof PlanError) return err.issues;
    throw err;
  }
  throw new Error('planStack accepted the args');
}

describe('planStack rejects bad args, naming the field', () => {
  test.each<[string, Partial<StackArgs>, string]>([
    ['a stack name Docker cannot use', { stackName: 'My_Stack' }, 'stackName must be 1-40 lowercase letters, digits or inner dashes, got "My_Stack"'],
    ['an unknown target', { target: 'gcp' as never }, 'target must be one of local, docker, aws, got "gcp"'],
    ['app VMs on the docker target', { appVms: 2 }, 'appVms is for target aws (target docker runs every instance on one machine)'],
    ['zero app VMs', { target: 'aws', appVms: 0 }, 'appVms must be an integer from 1 to 100, got 0'],
    ['a fractional app VM count', { target: 'aws', appVms: 1.5 }, 'appVms must be an integer from 1 to 100, got 1.5'],
    ['aws app ports past 65535', { target: 'aws', instances: 4, appPort: 65534 }, 'appPort 65534 leaves no room for 4 instances per VM (ports 65534-65537)'],
    ['zero instances', { instances: 0 }, 'instances: instance count must be a whole number >= 1, got 0'],
    ['a fractional count', { instances: 1.5 }, 'instances: instance count must be a whole number >= 1, got 1.5'],
    ['no count and no cores', { instances: undefined }, 'instances or cores must be given (the plan cannot count the cores of the machine the apps run on)'],
    ['zero cores', { instances: undefined, cores: 0 }, 'cores must be a number > 0, got 0'],
    ['port 0', { httpPort: 0 }, 'httpPort must be a port number 1-65535, got 0'],
    ['a port above 65535', { appPort: 70000 }, 'appPort must be a port number 1-65535, got 70000'],
    ['equal http and https ports', { httpPort: 8443 }, 'httpsPort must differ from httpPort, both are 8443'],
    ['a publish host that is not an IP', { publishHost: 'localhost' }, 'publishHost must be an IP address, got "localhost"'],
    ['no hostnames', { hostnames: [] }, 'hostnames must hold at least one name'],
    ['a hostname with a space', { hostnames: ['localhost', 'my app'] }, 'hostnames[1] must be a DNS name like app.example.com or *.example.com, got "my app"'],
    ['an admin port above 65535', { adminPort: 65536 }, 'adminPort must be a port number 1-65535, got 65536'],
    ['an admin port that is the http port', { adminPort: 8080 }, 'adminPort must differ from httpPort, both are 8080'],
    ['an admin port that is the https port', { adminPort: 8443 }, 'adminPort must differ from httpsPort, both are 8443'],
    ['sticky as a string', { sticky: 'yes' as never }, 'sticky must be true, false or an object with cookieName, got "yes"'],
    ['a sticky field that does not exist', { sticky: { name: 'x' } as never }, 'sticky has unknown field "name" (known: cookieName)'],
    ['a cookie name with a space', { sticky: { cookieName: 'my cookie' } }, 'sticky.cookieName must be a cookie name (1-64 letters, digits or !#$%&\'*+.^_`|~-), got "my cookie"'],
    ['a cookie name with =', { sticky: { cookieName: 'a=b' } }, 'sticky.cookieName must be a cookie name (1-64 letters, digits or !#$%&\'*+.^_`|~-), got "a=b"'],
    ['an empty cookie name', { sticky: { cookieName: '' } }, 'sticky.cookieName must be a cookie name (1-64 letters, digits or !#$%&\'*+.^_`|~-), got ""'],
    ['health check as a number', { healthCheck: 1 as never }, 'healthCheck must be true, false or an object with path, interval, got 1'],
    ['a health check field that does not exist', { healthCheck: { uri: '/' } as never }, 'healthCheck has unknown field "uri" (known: path, interval)'],
    ['a check path without a leading slash', { healthCheck: { path: 'readyz' } }, 'healthCheck.path must be a request path starting with / (no spaces or #), got "readyz"'],
    ['a check path with a space', { healthCheck: { path: '/ready z' } }, 'healthCheck.path must be a request path starting with / (no spaces or #), got "/ready z"'],
    ['a check path with CRLF', { healthCheck: { path: '/r\r\nX: 1' } }, 'healthCheck.path must be a request path starting with / (no spaces or #), got "/r\\r\\nX: 1"'],
    ['an interval in plain numbers', { healthCheck: { interval: '2' } }, 'healthCheck.interval must be a duration from 100ms to 5m like "2s" or "500ms", got "2"'],
    ['an interval as a number', { healthCheck: { interval: 2000 as never } }, 'healthCheck.interval must be a duration from 100ms to 5m like "2s" or "500ms", got 2000'],
    ['an interval too short', { healthCheck: { interval: '10ms' } }, 'healthCheck.interval must be a duration from 100ms to 5m like "2s" or "500ms", got "10ms"'],
    ['an interval too long', { healthCheck: { interval: '1h' } }, 'healthCheck.interval must be a duration from 100ms to 5m like "2s" or "500ms", got "1h"'],
    ['balance hash (needs a key)', { balance: 'hash' }, 'balance must be one of round-robin, least-conn, ip-hash, random-two, got "hash"'],
    ['tlsFiles for docker', { tlsFiles: { cert: '/c.pem', key: '/k.pem' } }, "tlsFiles is for the local target only: a docker proxy gets the stack's certificate uploaded"],
    ['acme for a local name', { acme: true }, 'acme needs public DNS names (no wildcard, localhost or single label): hostnames[0] is "localhost"'],
    ['acme for a wildcard', { acme: true, hostnames: ['*.example.com'] }, 'acme needs public DNS names (no wildcard, localhost or single label): hostnames[0] is "*.example.com"'],
    ['acme for a .localhost name', { acme: true, hostnames: ['a.example.com', 'shop.localhost'] }, 'acme needs public DNS names (no wildcard, localhost or single label): hostnames[1] is "shop.localhost"'],
    ['an acme email without @', { acme: { email: 'ops' }, hostnames: ['a.example.com'] }, 'acme.email must be an email address, got "ops"'],
    ['an acme directory over http', { acme: { directory: 'http://ca.example.com/dir' }, hostnames: ['a.example.com'] }, 'acme.directory must be an https:// URL, got "http://ca.example.com/dir"'],
    ['an acme field that does not exist', { acme: { contact: 'x' } as never, hostnames: ['a.example.com'] }, 'acme has unknown field "contact" (known: email, directory)'],
  ])('%s', (_, more, issue) => {
    expect(issuesOf(args(more))).toEqual([issue]);
  });

  test('acme is for stacks with public names; tlsFiles must be absolute paths', () => {
    expect(issuesOf(args({ target: 'local', acme: true, hostnames: ['a.example.com'] }))).toEqual(['acme is for stacks with public names (target docker): a local stack has its local CA']);
    expect(issuesOf(args({ target: 'aws', acme: true, hostnames: ['a.example.com'] }))).toEqual([
      'acme is for target docker: on aws set aws.tls (mode acme is its default; awsTls, awsAcmeEmail in the stack config)',
    ]);
    expect(issuesOf(args({ target: 'local', tlsFiles: { cert: 'cert.pem', key: '/k.pem' } }))).toEqual(['tlsFiles.cert must be an absolute path, got "cert.pem"']);
  });

  test('local app ports must fit below 65536 and miss the proxy ports', () => {
    expect(issuesOf(args({ target: 'local', instances: 3, appPort: 65534 }))).toEqual([
      'appPort 65534 leaves no room for 3 instances (ports 65534-65536)',
    ]);
    expect(issuesOf(args({ target: 'local', instances: 4, appPort: 8079 }))).toEqual(['httpPort 8080 is also an app instance port (8079-8082)']);
    expect(issuesOf(args({ target: 'local', instances: 2, appPort: 9900 }))).toEqual(['adminPort 9901 is also an app instance port (9900-9901)']);
  });

  test('docker app ports may equal the proxy ports: each container has its own', () => {
    expect(planStack(args({ appPort: 8080 })).apps[0].port).toBe(8080);
  });

  test('reports a bad cookie name and a bad interval together', () => {
    expect(issuesOf(args({ sticky: { cookieName: ';' }, healthCheck: { interval: 'soon' } }))).toHaveLength(2);
  });

  test('reports every problem at once, in one message naming the stack', () => {
    expect(() => planStack(args({ stackName: 'x', httpPort: -1, publishHost: 'nowhere' }))).toThrow(
      'cannot plan stack "x": httpPort must be a port number 1-65535, got -1; publishHost must be an IP address, got "nowhere"',
    );
  });

  test('the error has a stable code and keeps the list of issues', () => {
    const error = (() => {
      try {
        planStack(args({ instances: 0 }));
      } catch (err) {
        return err as PlanError;
      }
    })();
    expect(error).toBeInstanceOf(PlanError);
    expect(error).toMatchObject({ code: 'PORTICO_PLAN_INVALID', stackName: 'web', issues: ['instances: instance count must be a whole number >= 1, got 0'] });
  });
});
