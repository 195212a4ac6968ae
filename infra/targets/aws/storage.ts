// The stack bucket: private, encrypted, versioned (a bad write or a lost ACME account is
// recoverable), public access blocked, TLS-only. It holds what every proxy VM shares and what must
// outlive any one of them: the proxy's config, its secrets, certificates, ACME state.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { PROXY_OBJECTS, PROXY_PREFIX } from './storage-layout';

export interface ProxyFiles {
  /** The proxy config JSON, as proxy 1 (and every proxy, without ACME followers) runs it. */
  config: pulumi.Input<string>;
  /** The env file with the proxy's secrets (kept secret in the state). */
  env: pulumi.Input<string>;
  /** Supplied certificates (tls mode `certificates`). */
  certificatePem?: pulumi.Input<string>;
  privateKeyPem?: pulumi.Input<string>;
}

export interface StackBucket {
  bucket: aws.s3.Bucket;
  /** An object written before versioning is on has no version id: writers that need one depend on this. */
  versioning: aws.s3.BucketVersioning;
}

export function stackBucket(name: string, parent: pulumi.Resource): StackBucket {
  const opts = { parent };
  // forceDestroy: `pulumi destroy` removes the stack's certificates with it; they are reissued by ACME.
  const bucket = new aws.s3.Bucket(name, { forceDestroy: true }, opts);
  const blocked = new aws.s3.BucketPublicAccessBlock(
    name,
    { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    opts,
  );
  new aws.s3.BucketOwnershipControls(name, { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } }, opts);
  new aws.s3.BucketServerSideEncryptionConfiguration(
    name,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] },
    opts,
  );
  const versioning = new aws.s3.BucketVersioning(name, { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } }, opts);
  new aws.s3.BucketPolicy(
    name,
    {
      bucket: bucket.id,
      policy: bucket.arn.apply((arn) =>
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Sid: 'TlsOnly', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [arn, `${arn}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
        }),
      ),
    },
    // AWS refuses a bucket policy while the public access block is being applied.
    { parent, dependsOn: [blocked] },
  );
  return { bucket, versioning };
}

/** The ACME followers' config (proxy 2..N): written once proxy 1's address is known, read by them only. */
export function followerConfigFile(name: string, bucket: aws.s3.Bucket, config: pulumi.Input<string>, parent: pulumi.Resource): aws.s3.BucketObjectv2 {
  return new aws.s3.BucketObjectv2(
    `${name}-${PROXY_OBJECTS.followerConfig.replace(/[^a-z0-9]+/gi, '-')}`,
    { bucket: bucket.id, key: `${PROXY_PREFIX}/${PROXY_OBJECTS.followerConfig}`, content: config, serverSideEncryption: 'AES256' },
    { parent },
  );
}

/** The proxy's objects under its prefix; each proxy VM pulls them (proxy-user-data.ts). */
export function proxyFiles(name: string, bucket: aws.s3.Bucket, files: ProxyFiles, parent: pulumi.Resource): aws.s3.BucketObjectv2[] {
  const opts = { parent };
  const object = (key: string, content: pulumi.Input<string>, secret: boolean) =>
    new aws.s3.BucketObjectv2(
      `${name}-${key.replace(/[^a-z0-9]+/gi, '-')}`,
      { bucket: bucket.id, key: `${PROXY_PREFIX}/${key}`, content: secret ? pulumi.secret(content) : content, serverSideEncryption: 'AES256' },
      opts,
    );
  const objects = [object(PROXY_OBJECTS.config, files.config, false), object(PROXY_OBJECTS.env, files.env, true)];
  if (files.certificatePem !== undefined && files.privateKeyPem !== undefined) {
    objects.push(object(PROXY_OBJECTS.cert, files.certificatePem, false), object(PROXY_OBJECTS.key, files.privateKeyPem, true));
  }
  return objects;
}
