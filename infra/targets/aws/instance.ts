// One EC2 instance as every VM of the target is made: IMDSv2 only (hop limit 1, so containers
// cannot borrow the instance role), an encrypted root volume, no key pair (SSM instead of SSH),
// user data that replaces the VM when it changes (cloud-init runs at first boot only).
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { gzipSync } from 'node:zlib';

/** EC2 refuses user data over 16 KB (before base64). */
export const EC2_USER_DATA_LIMIT = 16 * 1024;

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
      ...userDataInputs(name, args.userData),
      userDataReplaceOnChange: true,
      metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 },
      rootBlockDevice: { encrypted: true, volumeType: 'gp3', volumeSize: args.rootVolumeGiB, deleteOnTermination: true },
      tags: { Name: name },
    },
    { ...opts, ...(args.amiLookedUp && { ignoreChanges: ['ami'] }) },
  );
}

/**
 * The user data as it is while it fits EC2's limit; gzip-compressed past it (an app VM of 32 vCPUs
 * and up runs a `docker run` per vCPU), which cloud-init reads as it is. Only big VMs pay for the
 * unreadable form; a user data too big even compressed fails the deployment, naming the VM.
 */
function userDataInputs(name: string, userData: pulumi.Input<string>): Pick<aws.ec2.InstanceArgs, 'userData' | 'userDataBase64'> {
  const text = pulumi.output(userData);
  const fits = (t: string) => Buffer.byteLength(t) <= EC2_USER_DATA_LIMIT;
  return {
    userData: text.apply((t) => (fits(t) ? t : undefined)) as pulumi.Output<string>,
    userDataBase64: text.apply((t) => {
      if (fits(t)) return undefined;
      const zipped = gzipSync(t, { level: 9 });
      if (zipped.length > EC2_USER_DATA_LIMIT) throw new Error(`${name}: its user data is ${zipped.length} bytes gzipped, over EC2's ${EC2_USER_DATA_LIMIT}; use a smaller instance type or fewer instances per VM`);
      return zipped.toString('base64');
    }) as pulumi.Output<string>,
  };
}
