// The Docker policies on containers shaped like @pulumi/docker inputs.
import type * as docker from '@pulumi/docker';
import { dockerAdminOnLoopback, dockerNoHostNetwork, dockerUnprivileged } from '../../policy/policies/docker';
import { violationsOf } from './policy-harness';

const CONTAINER = 'docker:index/container:Container';

const proxy = (ports: docker.types.input.ContainerPort[]): docker.ContainerArgs => ({ name: 'portico-dev-proxy', image: 'sha256:abc', ports });
const http: docker.types.input.ContainerPort = { ip: '0.0.0.0', external: 8080, internal: 8080, protocol: 'tcp' };

describe('portico-docker-admin-on-loopback', () => {
  const check = (props: object, config = {}) => violationsOf(dockerAdminOnLoopback, { type: CONTAINER, props }, config);

  it('passes the admin port on 127.0.0.1 beside traffic published everywhere', async () => {
    expect(await check(proxy([http, { ip: '127.0.0.1', external: 9901, internal: 9901 }]))).toEqual([]);
    expect(await check(proxy([{ ip: '::1', external: 9901, internal: 9901 }]))).toEqual([]);
  });

  it('refuses the admin port on every address, by default or explicitly', async () => {
    expect(await check(proxy([http, { external: 9901, internal: 9901 }]))).toEqual([
      'ports[1]: the admin port 9901 is published on every address (no ip); publish it on 127.0.0.1 only',
    ]);
    expect(await check(proxy([{ ip: '0.0.0.0', external: 9901, internal: 9901 }]))).toEqual([
      'ports[0]: the admin port 9901 is published on "0.0.0.0"; publish it on 127.0.0.1 only',
    ]);
  });

  it("refuses the container's admin port published under another host port, and honours the configured port", async () => {
    expect(await check(proxy([{ ip: '192.168.1.5', external: 19901, internal: 9901 }]))).toHaveLength(1);
    const stackPort = proxy([{ ip: '0.0.0.0', external: 19902, internal: 19902 }]);
    expect(await check(stackPort)).toEqual([]);
    expect(await check(stackPort, { adminPorts: [19902] })).toEqual([
      'ports[0]: the admin port 19902 is published on "0.0.0.0"; publish it on 127.0.0.1 only',
    ]);
  });

  it('survives a container without ports and malformed entries', async () => {
    expect(await check({ name: 'app', image: 'x' })).toEqual([]);
    expect(await check({ name: 'app', image: 'x', ports: [null, 'x'] })).toEqual([]);
  });
});

describe('portico-docker-unprivileged', () => {
  const check = (props: object) => violationsOf(dockerUnprivileged, { type: CONTAINER, props });

  it('passes an ordinary container and refuses a privileged one', async () => {
    expect(await check(proxy([http]))).toEqual([]);
    expect(await check({ ...proxy([http]), privileged: false })).toEqual([]);
    expect(await check({ ...proxy([http]), privileged: true })).toEqual(['privileged is true: the container would have every capability and the host devices']);
  });
});

describe('portico-docker-no-host-network', () => {
  const check = (props: object) => violationsOf(dockerNoHostNetwork, { type: CONTAINER, props });

  it("passes a container on the default or a named network and refuses one in the host's network", async () => {
    expect(await check(proxy([http]))).toEqual([]);
    expect(await check({ ...proxy([http]), networkMode: 'bridge', networksAdvanced: [{ name: 'portico-dev-internal' }] })).toEqual([]);
    expect(await check({ ...proxy([]), networkMode: 'host' })).toEqual([
      'networkMode is "host": the container would listen on the host\'s addresses, past the internal network and the published ports; join the stack\'s networks instead',
    ]);
  });
});

describe('portico-docker-admin-on-loopback, admin port from the uploaded proxy config', () => {
  const withConfig = (listen: string, ports: docker.types.input.ContainerPort[]): docker.ContainerArgs => ({
    ...proxy(ports),
    uploads: [
      { file: '/etc/portico/config.json', content: JSON.stringify({ listeners: [{ port: 8080 }], admin: { listen } }) },
      { file: '/etc/motd', content: '{ not json' },
    ],
  });
  const check = (props: object) => violationsOf(dockerAdminOnLoopback, { type: CONTAINER, props });

  it('finds the admin port the container listens on without any policy config', async () => {
    expect(await check(withConfig('0.0.0.0:19999', [http, { ip: '127.0.0.1', external: 19999, internal: 19999 }]))).toEqual([]);
    expect(await check(withConfig('0.0.0.0:19999', [http, { ip: '0.0.0.0', external: 29999, internal: 19999 }]))).toEqual([
      'ports[1]: the admin port 19999 is published on "0.0.0.0"; publish it on 127.0.0.1 only',
    ]);
    expect(await check(withConfig('[::]:19999', [{ external: 19999, internal: 19999 }]))).toHaveLength(1);
  });

  it('ignores uploads that are not a Portico config', async () => {
    const other = { ...proxy([{ ip: '0.0.0.0', external: 19999, internal: 19999 }]), uploads: [{ file: '/app/x.json', content: '{"admin": 3}' }, { file: '/app/y.json', content: '[1]' }] };
    expect(await check(other)).toEqual([]);
  });
});
