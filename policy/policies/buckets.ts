// S3 buckets (the AWS target keeps its ACME certificates in one): every bucket in the stack has
// all four public access blocks on and default encryption. A stack policy, because both live in
// resources of their own that name the bucket.
import type { PolicyResource, ReportViolation, StackValidationPolicy } from '@pulumi/policy';
import { known } from './known';
import { listOf, objectOf } from './props';

export const BUCKET_TYPES = ['aws:s3/bucket:Bucket', 'aws:s3/bucketV2:BucketV2'];
export const PUBLIC_ACCESS_BLOCK = 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock';
export const ENCRYPTION_TYPES = [
  'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
  'aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2',
];

const BLOCKS = ['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets'];
const SSE_ALGORITHMS = ['AES256', 'aws:kms', 'aws:kms:dsse'];
const PUBLIC_ACLS = ['public-read', 'public-read-write', 'authenticated-read'];

export const privateEncryptedBuckets: StackValidationPolicy = {
  name: 'portico-s3-private-encrypted',
  description: 'S3 buckets block every kind of public access and encrypt objects by default.',
  enforcementLevel: 'mandatory',
  validateStack: (args, reportViolation) => {
    for (const bucket of args.resources.filter((r) => BUCKET_TYPES.includes(r.type))) {
      const attached = (types: string[]) => args.resources.filter((r) => types.includes(r.type) && namesBucket(r, bucket));
      checkPublicAccess(bucket, attached([PUBLIC_ACCESS_BLOCK]), reportViolation);
      checkEncryption(bucket, attached(ENCRYPTION_TYPES), reportViolation);
    }
  },
};

function checkPublicAccess(bucket: PolicyResource, blocks: PolicyResource[], reportViolation: ReportViolation): void {
  // A preview may not know the acl of a new bucket (the provider computes it when unset).
  const acl = known(() => bucket.props.acl);
  if (typeof acl === 'string' && PUBLIC_ACLS.includes(acl)) reportViolation(`bucket ${bucket.name}: acl ${acl} makes it public`, bucket.urn);
  if (blocks.length === 0) {
    reportViolation(`bucket ${bucket.name} has no BucketPublicAccessBlock: add one with all four blocks true`, bucket.urn);
    return;
  }
  for (const block of blocks) {
    const off = BLOCKS.filter((flag) => block.props[flag] !== true);
    if (off.length > 0) reportViolation(`bucket ${bucket.name}: its public access block ${block.name} leaves ${off.join(', ')} off`, block.urn);
  }
}

function checkEncryption(bucket: PolicyResource, configurations: PolicyResource[], reportViolation: ReportViolation): void {
  // The deprecated inline form on the bucket itself counts as well (unknown in a preview of a new bucket).
  const inline = objectOf(known(() => bucket.props.serverSideEncryptionConfiguration));
  const rules = [
    ...(inline ? [objectOf(inline.rule)] : []),
    ...configurations.flatMap((c) => listOf(c.props.rules).map(objectOf)),
  ];
  const encrypted = rules.some((rule) => SSE_ALGORITHMS.includes(objectOf(rule?.applyServerSideEncryptionByDefault)?.sseAlgorithm));
  if (!encrypted) {
    reportViolation(`bucket ${bucket.name} has no default encryption: add a BucketServerSideEncryptionConfiguration (AES256 or aws:kms)`, bucket.urn);
  }
}

/**
 * Whether a bucket-level resource is attached to this bucket: by the dependency of its `bucket`
 * input (how a program links them, known during preview too), else, when it names the bucket by
 * a literal, by value.
 */
function namesBucket(resource: PolicyResource, bucket: PolicyResource): boolean {
  const deps = (resource.propertyDependencies && resource.propertyDependencies.bucket) || [];
  if (deps.length > 0) return deps.some((d) => d === bucket || d.urn === bucket.urn);
  const name = known(() => resource.props.bucket);
  return typeof name === 'string' && (name === known(() => bucket.props.bucket) || name === known(() => bucket.props.id));
}
