// During a preview the engine hands policies values it cannot know yet (ids of resources still to
// be created), behind @pulumi/policy's proxy that throws on reading one. The policies check what
// is known and read an unknown only where the answer depends on it.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { privateEncryptedBuckets } from '../../policy/policies/buckets';
import { internetIngressHttpOnly, noSshIngress } from '../../policy/policies/security-groups';
import { stackOf, stackViolationsOf, violationsOf } from './policy-harness';

// The engine's own proxy and unknown markers, from the pack's package.
const { unknownCheckingProxy, unknownStringValue, UnknownValueError } = createRequire(join(__dirname, '../../policy/package.json'))('@pulumi/policy/proxy');
const INGRESS_RULE = 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule';

const previewed = (props: object) => unknownCheckingProxy(props);

describe('policies in a preview, with values not known yet', () => {
  const appFromProxy = { securityGroupId: unknownStringValue, ipProtocol: 'tcp', fromPort: 3000, toPort: 3001, referencedSecurityGroupId: unknownStringValue };

  it("check an app-port rule whose source is a security group that does not exist yet", async () => {
    expect(await violationsOf(internetIngressHttpOnly, { type: INGRESS_RULE, props: previewed(appFromProxy) })).toEqual([]);
    expect(await violationsOf(noSshIngress, { type: INGRESS_RULE, props: previewed(appFromProxy) })).toEqual([]);
  });

  it('refuse SSH from a security group not known yet, saying so', async () => {
    const everyPort = previewed({ ...appFromProxy, fromPort: 0, toPort: 65535 });
    expect(await violationsOf(noSshIngress, { type: INGRESS_RULE, props: everyPort })).toEqual([
      'tcp 0-65535 admits SSH (TCP 22) from sources not known until deployed; use SSM Session Manager instead',
    ]);
  });

  it('leave an unknown source block to the engine ("can\'t be known during preview") rather than guess', async () => {
    const unknownBlock = previewed({ securityGroupId: 'sg-1', ipProtocol: 'tcp', fromPort: 8080, toPort: 8080, cidrIpv4: unknownStringValue });
    await expect(violationsOf(internetIngressHttpOnly, { type: INGRESS_RULE, props: unknownBlock })).rejects.toBeInstanceOf(UnknownValueError);
  });

  it('check a new bucket whose name, acl and computed encryption are not known yet', async () => {
    const resources = (withBlock: boolean) =>
      stackOf([
        { type: 'aws:s3/bucket:Bucket', name: 'certs', props: { bucketPrefix: 'certs-' } },
        ...(withBlock
          ? [{ type: 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock', name: 'certs-private', dependsOn: { bucket: ['certs'] }, props: { bucket: unknownStringValue, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true } }]
          : []),
        {
          type: 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
          name: 'certs-sse',
          dependsOn: { bucket: ['certs'] },
          props: { bucket: unknownStringValue, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] },
        },
      ]).map((r) => ({
        ...r,
        props: previewed(r.type === 'aws:s3/bucket:Bucket' ? { ...r.props, bucket: unknownStringValue, id: unknownStringValue, acl: unknownStringValue, serverSideEncryptionConfiguration: unknownStringValue } : r.props),
      }));
    expect(await stackViolationsOf(privateEncryptedBuckets, relink(resources(true)))).toEqual([]);
    expect((await stackViolationsOf(privateEncryptedBuckets, relink(resources(false)))).map((v) => v.message)).toEqual([
      'bucket certs has no BucketPublicAccessBlock: add one with all four blocks true',
    ]);
  });
});

/** The copies made above, linked to each other again (propertyDependencies name resources by identity). */
function relink<T extends { urn: string; propertyDependencies: Record<string, { urn: string }[]> }>(resources: T[]): T[] {
  for (const r of resources) {
    for (const key of Object.keys(r.propertyDependencies)) r.propertyDependencies[key] = r.propertyDependencies[key].map((d) => resources.find((x) => x.urn === d.urn)!);
  }
  return resources;
}
