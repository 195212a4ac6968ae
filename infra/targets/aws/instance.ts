// One EC2 instance as every VM of the target is made: IMDSv2 only (hop limit 1, so containers
// cannot borrow the instance role), an encrypted root volume, no key pair (SSM instead of SSH),
// user data that replaces the VM when it changes (cloud-init runs at first boot only).
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface VmArgs {
  ami: pulumi.Input<string>;
  instanceType: string;
  subnetId: pulumi.Input<string>;
  securityGroupId: pulumi.Input<string>;
  profileName: pulumi.Input<string>;
  userData: pulumi.Input<string>;
  rootVolumeGiB: number;
  ipv6: boolean;
  /** Whether `ami` was looked up (then a newer AMI later does not replace the VM) or pinned. */
  amiLookedUp: boolean;
}

export function vm(name: string, args: VmArgs, opts: pulumi.CustomResourceOptions): aws.ec2.Instance {
  return new aws.ec2.Instance(
    name,
    {
      ami: args.ami,
      instanceType: args.instanceType,
      subnetId: args.subnetId,
      vpcSecurityGroupIds: [args.securityGroupId],
      iamInstanceProfile: args.profileName,
      associatePublicIpAddress: true,
      ...(args.ipv6 && { ipv6AddressCount: 1 }),
      userData: args.userData,
      userDataReplaceOnChange: true,
      metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 },
      rootBlockDevice: { encrypted: true, volumeType: 'gp3', volumeSize: args.rootVolumeGiB, deleteOnTermination: true },
      tags: { Name: name },
    },
    { ...opts, ...(args.amiLookedUp && { ignoreChanges: ['ami'] }) },
  );
}
