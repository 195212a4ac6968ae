// The EC2 policies on instances and launch templates shaped like @pulumi/aws inputs.
import type * as aws from '@pulumi/aws';
import { encryptedVolumes, imdsHopLimitOne, imdsV2Required, noKeyPair } from '../../policy/policies/instances';
import { violationsOf } from './policy-harness';

const INSTANCE = 'aws:ec2/instance:Instance';
const TEMPLATE = 'aws:ec2/launchTemplate:LaunchTemplate';

/** An app VM as the AWS target builds one. */
const appVm: aws.ec2.InstanceArgs = {
  ami: 'ami-0123',
  instanceType: 't3.small',
  metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 },
  rootBlockDevice: { encrypted: true, volumeSize: 16, volumeType: 'gp3' },
  iamInstanceProfile: 'portico-app',
  vpcSecurityGroupIds: ['sg-app'],
  userData: '#cloud-config\n',
};

const template: aws.ec2.LaunchTemplateArgs = {
  imageId: 'ami-0123',
  instanceType: 't3.small',
  metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
  blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: 'true', volumeSize: 16 } }],
};

describe('portico-ec2-imdsv2-required', () => {
  const check = (type: string, props: object) => violationsOf(imdsV2Required, { type, props });

  it('passes an instance and a launch template that require session tokens', async () => {
    expect(await check(INSTANCE, appVm)).toEqual([]);
    expect(await check(TEMPLATE, template)).toEqual([]);
  });

  it('refuses IMDSv1 ("optional") and metadata options left to the default', async () => {
    const message = (value: string) => `metadataOptions.httpTokens is ${value}: set "required" so the instance role's credentials need an IMDSv2 session token`;
    expect(await check(INSTANCE, { ...appVm, metadataOptions: { httpTokens: 'optional' } })).toEqual([message('"optional"')]);
    expect(await check(INSTANCE, { ...appVm, metadataOptions: undefined })).toEqual([message('undefined')]);
    expect(await check(TEMPLATE, { ...template, metadataOptions: {} })).toEqual([message('undefined')]);
  });

  it("leaves an instance without its own options to its launch template's", async () => {
    expect(await check(INSTANCE, { ami: 'ami-0123', launchTemplate: { id: 'lt-1' } })).toEqual([]);
    expect(await check(INSTANCE, { launchTemplate: { id: 'lt-1' }, metadataOptions: { httpTokens: 'optional' } })).toHaveLength(1);
  });
});

describe('portico-ec2-imds-hop-limit-1', () => {
  const check = (type: string, props: object) => violationsOf(imdsHopLimitOne, { type, props });
  const message = (value: string) =>
    `metadataOptions.httpPutResponseHopLimit is ${value}: set 1, or a container on the VM (one hop further) can fetch the instance role's credentials`;

  it('passes an instance and a launch template with a hop limit of 1, and a disabled metadata endpoint', async () => {
    expect(await check(INSTANCE, appVm)).toEqual([]);
    expect(await check(TEMPLATE, template)).toEqual([]);
    expect(await check(INSTANCE, { ...appVm, metadataOptions: { httpEndpoint: 'disabled' } })).toEqual([]);
  });

  it('refuses a hop limit above 1, and one left to the AMI or the account default (2 for ImdsSupport v2.0 AMIs)', async () => {
    expect(await check(INSTANCE, { ...appVm, metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 2 } })).toEqual([message('2')]);
    expect(await check(TEMPLATE, { ...template, metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 64 } })).toEqual([message('64')]);
    expect(await check(TEMPLATE, { ...template, metadataOptions: { httpTokens: 'required' } })).toEqual([message('undefined')]);
    expect(await check(INSTANCE, { ...appVm, metadataOptions: undefined })).toEqual([message('undefined')]);
    expect(await check('aws:ec2/launchConfiguration:LaunchConfiguration', { metadataOptions: { httpPutResponseHopLimit: 3 } })).toEqual([message('3')]);
  });

  it("leaves an instance without its own options to its launch template's", async () => {
    expect(await check(INSTANCE, { ami: 'ami-0123', launchTemplate: { id: 'lt-1' } })).toEqual([]);
    expect(await check(INSTANCE, { launchTemplate: { id: 'lt-1' }, metadataOptions: { httpPutResponseHopLimit: 2 } })).toHaveLength(1);
  });
});

describe('portico-ec2-encrypted-volumes', () => {
  const check = (type: string, props: object) => violationsOf(encryptedVolumes, { type, props });

  it('passes encrypted root and data volumes', async () => {
    expect(await check(INSTANCE, { ...appVm, ebsBlockDevices: [{ deviceName: '/dev/sdf', encrypted: true }] })).toEqual([]);
    expect(await check(TEMPLATE, template)).toEqual([]);
  });

  it('refuses an unencrypted or unspecified root volume and an unencrypted data volume', async () => {
    expect(await check(INSTANCE, { ...appVm, rootBlockDevice: { encrypted: false } })).toEqual(['rootBlockDevice.encrypted must be true']);
    expect(await check(INSTANCE, { ...appVm, rootBlockDevice: undefined })).toEqual(['rootBlockDevice.encrypted must be true']);
    expect(await check(INSTANCE, { ...appVm, ebsBlockDevices: [{ deviceName: '/dev/sdf', encrypted: true }, { deviceName: '/dev/sdg' }] })).toEqual([
      'ebsBlockDevices[1].encrypted must be true',
    ]);
  });

  it('refuses a launch template that leaves the root volume to the AMI or does not encrypt a mapping', async () => {
    expect(await check(TEMPLATE, { ...template, blockDeviceMappings: [] })).toEqual([
      'blockDeviceMappings is empty, so the root volume\'s encryption is left to the AMI: map the root device with ebs.encrypted "true"',
    ]);
    const mixed: aws.ec2.LaunchTemplateArgs = { blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { encrypted: 'true' } }, { deviceName: '/dev/sdf', ebs: { encrypted: 'false' } }] };
    expect(await check(TEMPLATE, mixed)).toEqual(['blockDeviceMappings[1].ebs.encrypted must be "true"']);
  });
});

describe('portico-ec2-no-key-pair', () => {
  const check = (type: string, props: object) => violationsOf(noKeyPair, { type, props });

  it('passes machines without a key pair', async () => {
    expect(await check(INSTANCE, appVm)).toEqual([]);
    expect(await check(TEMPLATE, template)).toEqual([]);
  });

  it('refuses a key name on an instance or template, and a key pair resource', async () => {
    expect(await check(INSTANCE, { ...appVm, keyName: 'ops' })).toEqual(['keyName "ops" installs an SSH key; reach the instance through SSM Session Manager instead']);
    expect(await check(TEMPLATE, { ...template, keyName: 'ops' })).toHaveLength(1);
    const key: aws.ec2.KeyPairArgs = { publicKey: 'ssh-ed25519 AAAA ops' };
    expect(await check('aws:ec2/keyPair:KeyPair', key)).toEqual(['an EC2 key pair is created; the instances are reached through SSM Session Manager, not SSH']);
  });
});
