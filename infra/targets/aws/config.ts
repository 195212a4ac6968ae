// The aws target's stack config: flat `aws…` keys (Pulumi.yaml declares them with these defaults)
// -> a WebStack's public `aws` args. Empty strings mean "not set": Pulumi config has no
// optional-without-default.
import type * as pulumi from '@pulumi/pulumi';
import type { AwsArgs } from '../../args';
import { AWS_TLS_MODES } from './proxy-tls';

export const AWS_CONFIG_DEFAULTS = {
  awsAppVms: 1,
  awsAppInstanceType: 't3.small',
  awsProxyVms: 1,
  awsProxyInstanceType: 't3.small',
  awsVpcId: '',
  awsSubnetIds: [] as string[],
  awsIpv6: false,
  awsAmiId: '',
  awsRootVolumeGiB: 16,
  awsTls: 'acme',
  awsAcmeEmail: '',
  awsAcmeStaging: false,
  awsTlsCertificate: '',
  awsTlsPrivateKey: '',
  awsHostedZoneId: '',
  awsHostedZoneName: '',
  awsDnsTtl: 300,
};

export function readAwsConfig(config: pulumi.Config): AwsArgs {
  const d = AWS_CONFIG_DEFAULTS;
  const text = (key: keyof typeof d) => config.get(key) || undefined;
  const vpcId = text('awsVpcId');
  const subnetIds = config.getObject<string[]>('awsSubnetIds') ?? d.awsSubnetIds;
  const mode = config.get('awsTls', { allowedValues: [...AWS_TLS_MODES] }) ?? d.awsTls;
  const certificatePem = config.getSecret('awsTlsCertificate');
  const privateKeyPem = config.getSecret('awsTlsPrivateKey');
  const zoneId = text('awsHostedZoneId');
  const zoneName = text('awsHostedZoneName');
  return {
    appVms: config.getNumber('awsAppVms') ?? d.awsAppVms,
    ...(vpcId !== undefined && { vpcId }),
    ...(subnetIds.length > 0 && { subnetIds }),
    ipv6: config.getBoolean('awsIpv6') ?? d.awsIpv6,
    appInstanceType: text('awsAppInstanceType') ?? d.awsAppInstanceType,
    proxyVms: config.getNumber('awsProxyVms') ?? d.awsProxyVms,
    proxyInstanceType: text('awsProxyInstanceType') ?? d.awsProxyInstanceType,
    ...(text('awsAmiId') !== undefined && { amiId: text('awsAmiId') }),
    rootVolumeGiB: config.getNumber('awsRootVolumeGiB') ?? d.awsRootVolumeGiB,
    tls: {
      mode,
      staging: config.getBoolean('awsAcmeStaging') ?? d.awsAcmeStaging,
      ...(text('awsAcmeEmail') !== undefined && { email: text('awsAcmeEmail') }),
      ...(mode === 'certificates' && { certificatePem, privateKeyPem }),
    },
    dns: { ...(zoneId !== undefined && { zoneId }), ...(zoneName !== undefined && { zoneName }), ttl: config.getNumber('awsDnsTtl') ?? d.awsDnsTtl },
  };
}
