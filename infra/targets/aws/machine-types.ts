// The target's lookups about EC2 machine types (STYLE 11: lookups gathered in one place): vCPUs
// size the app VMs (one instance per vCPU), the architecture picks the AMI and the image platform.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export type Architecture = 'x86_64' | 'arm64';

/**
 * The type's default vCPUs (`aws.ec2.getInstanceType` → `defaultVcpus`): what the program passes
 * to the plan as `cores`. A fixed answer per type, so a preview never depends on the machine it runs on.
 */
export async function instanceVcpus(instanceType: string): Promise<number> {
  const type = await aws.ec2.getInstanceType({ instanceType });
  if (!Number.isInteger(type.defaultVcpus) || type.defaultVcpus < 1) {
    throw new Error(`EC2 type ${instanceType} reports ${type.defaultVcpus} vCPUs`);
  }
  return type.defaultVcpus;
}

/** instanceVcpus as an Output, asked through `opts.parent`'s provider (a component's region). */
export function instanceVcpusOutput(instanceType: string, opts?: pulumi.InvokeOutputOptions): pulumi.Output<number> {
  return aws.ec2.getInstanceTypeOutput({ instanceType }, opts).defaultVcpus.apply((vcpus) => {
    if (!Number.isInteger(vcpus) || vcpus < 1) throw new Error(`EC2 type ${instanceType} reports ${vcpus} vCPUs`);
    return vcpus;
  });
}

/** arm64 for Graviton types, else x86_64. */
export function instanceArchitecture(instanceType: string, opts?: pulumi.InvokeOutputOptions): pulumi.Output<Architecture> {
  return aws.ec2
    .getInstanceTypeOutput({ instanceType }, opts)
    .supportedArchitectures.apply((archs) => (archs?.includes('arm64') && !archs.includes('x86_64') ? 'arm64' : 'x86_64'));
}

/** Docker's platform name for an EC2 architecture. */
export function dockerPlatform(arch: Architecture): 'linux/arm64' | 'linux/amd64' {
  return arch === 'arm64' ? 'linux/arm64' : 'linux/amd64';
}

/** The newest Amazon Linux 2023 (SSM agent, AWS CLI and a docker package included) for `arch`. */
export function amazonLinuxAmi(arch: pulumi.Input<Architecture>, opts?: pulumi.InvokeOutputOptions): pulumi.Output<string> {
  return pulumi.output(arch).apply(
    (a) =>
      aws.ec2.getAmiOutput(
        {
          owners: ['amazon'],
          mostRecent: true,
          filters: [
            { name: 'name', values: [`al2023-ami-2023.*-kernel-default-${a}`] },
            { name: 'architecture', values: [a] },
          ],
        },
        opts,
      ).id,
  );
}
