// The S3 stack policy: a bucket with its public access block and encryption configuration, linked
// as a program links them (the `bucket` input depends on the bucket) or by a literal name.
import type * as aws from '@pulumi/aws';
import { privateEncryptedBuckets } from '../../policy/policies/buckets';
import { stackOf, stackViolationsOf } from './policy-harness';

const BUCKET = 'aws:s3/bucket:Bucket';
const BLOCK = 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock';
const SSE = 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration';

const certs: aws.s3.BucketArgs = { bucketPrefix: 'portico-certs-', forceDestroy: false };
const allBlocked: aws.s3.BucketPublicAccessBlockArgs = { bucket: 'portico-certs-1', blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
const kms: aws.s3.BucketServerSideEncryptionConfigurationArgs = {
  bucket: 'portico-certs-1',
  rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' }, bucketKeyEnabled: true }],
};

const certStack = (block: object, sse: object) =>
  stackOf([
    { type: BUCKET, name: 'certs', props: certs },
    { type: BLOCK, name: 'certs-private', props: block, dependsOn: { bucket: ['certs'] } },
    { type: SSE, name: 'certs-encrypted', props: sse, dependsOn: { bucket: ['certs'] } },
  ]);
const check = (stack: ReturnType<typeof stackOf>) => stackViolationsOf(privateEncryptedBuckets, stack);

describe('portico-s3-private-encrypted', () => {
  it('passes a bucket with all four public access blocks and default encryption', async () => {
    expect(await check(certStack(allBlocked, kms))).toEqual([]);
  });

  it('matches a bucket named by a literal and the deprecated inline encryption', async () => {
    const stack = stackOf([
      { type: BUCKET, name: 'certs', props: { bucket: 'portico-certs-1', serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } } } } },
      { type: BLOCK, name: 'certs-private', props: allBlocked },
    ]);
    expect(await check(stack)).toEqual([]);
  });

  it('refuses a public access block that leaves a block off, naming the block', async () => {
    const violations = await check(certStack({ ...allBlocked, blockPublicPolicy: false, restrictPublicBuckets: undefined }, kms));
    expect(violations).toEqual([
      { message: 'bucket certs: its public access block certs-private leaves blockPublicPolicy, restrictPublicBuckets off', urn: expect.stringMatching(/::certs-private$/) },
    ]);
  });

  it('refuses a bucket without a public access block or encryption, and a public ACL', async () => {
    const stack = stackOf([
      { type: BUCKET, name: 'certs', props: { ...certs, acl: 'public-read' } },
      // Attached to another bucket: does not count for this one.
      { type: BUCKET, name: 'other', props: { bucket: 'other' } },
      { type: BLOCK, name: 'other-private', props: { ...allBlocked, bucket: 'other' }, dependsOn: { bucket: ['other'] } },
      { type: SSE, name: 'other-encrypted', props: { ...kms, bucket: 'other' }, dependsOn: { bucket: ['other'] } },
    ]);
    expect((await check(stack)).map((v) => v.message)).toEqual([
      'bucket certs: acl public-read makes it public',
      'bucket certs has no BucketPublicAccessBlock: add one with all four blocks true',
      'bucket certs has no default encryption: add a BucketServerSideEncryptionConfiguration (AES256 or aws:kms)',
    ]);
  });

  it('refuses an encryption configuration without a default algorithm', async () => {
    const violations = await check(certStack(allBlocked, { bucket: 'portico-certs-1', rules: [{ bucketKeyEnabled: true }] }));
    expect(violations.map((v) => v.message)).toEqual(['bucket certs has no default encryption: add a BucketServerSideEncryptionConfiguration (AES256 or aws:kms)']);
  });
});
