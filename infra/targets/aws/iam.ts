// Instance profiles with least privilege: SSM Session Manager (no SSH anywhere), pulling the one
// image the VM runs from ECR, and for the proxy its own prefix of the stack bucket (writing only
// its ACME state there). No DNS rights: the proxy's ACME validates by HTTP-01.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/** AWS's managed policy for Session Manager (and port forwarding to the admin listener). */
export const SSM_CORE_POLICY = 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore';

export interface InstanceRoleArgs {
  /** ECR repositories the VM pulls from (none for prebuilt images elsewhere). */
  repositoryArns: pulumi.Input<string>[];
  /**
   * The role's objects: read under `prefix` (`versions`: a given version too, as the app VMs fetch
   * their secret env file), write under `writablePrefix`; never read the keys in `unreadable`
   * (an explicit Deny: the ACME account key, which only the proxy that orders may use).
   */
  bucket?: { arn: pulumi.Input<string>; prefix: string; writablePrefix?: string; versions?: boolean; unreadable?: string[] };
}

export interface InstanceRole {
  role: aws.iam.Role;
  profile: aws.iam.InstanceProfile;
}

export function instanceRole(name: string, args: InstanceRoleArgs, parent: pulumi.Resource): InstanceRole {
  const opts = { parent };
  const role = new aws.iam.Role(
    name,
    {
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    },
    opts,
  );
  new aws.iam.RolePolicyAttachment(`${name}-ssm`, { role: role.name, policyArn: SSM_CORE_POLICY }, opts);
  new aws.iam.RolePolicy(`${name}-access`, { role: role.id, policy: accessPolicy(args) }, opts);
  const profile = new aws.iam.InstanceProfile(name, { role: role.name }, opts);
  return { role, profile };
}

function accessPolicy(args: InstanceRoleArgs): pulumi.Output<string> {
  return pulumi
    .all([pulumi.all(args.repositoryArns), args.bucket ? pulumi.output(args.bucket.arn) : undefined])
    .apply(([repos, bucketArn]) => {
      const statements: object[] = [];
      if (repos.length) {
        // The token call has no resource scope; the pulls are scoped to the VM's own repositories.
        statements.push({ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' });
        statements.push({ Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], Resource: repos });
      }
      if (args.bucket && bucketArn) statements.push(...bucketStatements(bucketArn, args.bucket));
      // IAM refuses an empty policy; a VM with nothing to pull still needs a valid document.
      if (!statements.length) statements.push({ Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: '*' });
      return JSON.stringify({ Version: '2012-10-17', Statement: statements });
    });
}

function bucketStatements(bucketArn: string, { prefix, writablePrefix: writable, versions, unreadable }: NonNullable<InstanceRoleArgs['bucket']>): object[] {
  return [
    ...(unreadable?.length ? [{ Effect: 'Deny', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: unreadable.map((key) => `${bucketArn}/${key}`) }] : []),
    { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn, Condition: { StringLike: { 's3:prefix': [`${prefix}/*`] } } },
    { Effect: 'Allow', Action: versions ? ['s3:GetObject', 's3:GetObjectVersion'] : 's3:GetObject', Resource: `${bucketArn}/${prefix}/*` },
    ...(writable ? [{ Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject'], Resource: `${bucketArn}/${writable}/*` }] : []),
  ];
}

