// Resource types a stack could use to get what the pack refuses on the usual ones: the default
// security group (same inline rules as aws.ec2.SecurityGroup), and the EC2 resources that launch
// instances without aws.ec2.Instance or a launch template (spot requests, launch configurations).
import { encryptedVolumes, imdsV2Required, noKeyPair } from '../../policy/policies/instances';
import { internetIngressHttpOnly, noSshIngress } from '../../policy/policies/security-groups';
import { violationsOf } from './policy-harness';

const DEFAULT_SG = 'aws:ec2/defaultSecurityGroup:DefaultSecurityGroup';
const SPOT_REQUEST = 'aws:ec2/spotInstanceRequest:SpotInstanceRequest';
const LAUNCH_CONFIGURATION = 'aws:ec2/launchConfiguration:LaunchConfiguration';

describe('the default security group', () => {
  const wideOpen = { vpcId: 'vpc-1', ingress: [{ protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: ['0.0.0.0/0'] }] };

  it('is held to internet ingress on 80 and 443 only', async () => {
    const appPort = { vpcId: 'vpc-1', ingress: [{ protocol: 'tcp', fromPort: 3000, toPort: 3000, cidrBlocks: ['0.0.0.0/0'] }] };
    expect(await violationsOf(internetIngressHttpOnly, { type: DEFAULT_SG, props: appPort })).toEqual(['ingress[0]: 0.0.0.0/0 may reach TCP 80 and 443 only, not tcp 3000']);
    expect(await violationsOf(internetIngressHttpOnly, { type: DEFAULT_SG, props: wideOpen })).toHaveLength(1);
  });

  it('admits no SSH', async () => {
    expect(await violationsOf(noSshIngress, { type: DEFAULT_SG, props: wideOpen })).toHaveLength(1);
  });
});

describe.each([SPOT_REQUEST, LAUNCH_CONFIGURATION])('%s', (type) => {
  const careless = { ami: 'ami-1', instanceType: 't3.small', keyName: 'laptop', metadataOptions: { httpTokens: 'optional' }, rootBlockDevice: { encrypted: false } };
  const careful = { ami: 'ami-1', instanceType: 't3.small', metadataOptions: { httpTokens: 'required' }, rootBlockDevice: { encrypted: true } };

  it('requires IMDSv2', async () => {
    expect(await violationsOf(imdsV2Required, { type, props: careless })).toHaveLength(1);
    expect(await violationsOf(imdsV2Required, { type, props: careful })).toEqual([]);
  });

  it('requires an encrypted root volume', async () => {
    expect(await violationsOf(encryptedVolumes, { type, props: careless })).toEqual(['rootBlockDevice.encrypted must be true']);
    expect(await violationsOf(encryptedVolumes, { type, props: careful })).toEqual([]);
  });

  it('refuses an SSH key pair', async () => {
    expect(await violationsOf(noKeyPair, { type, props: careless })).toHaveLength(1);
  });
});
