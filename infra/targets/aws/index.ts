// The aws target: EC2 VMs sized to vCPUs, images in ECR, the proxy's files in S3, DNS in Route53.
export { deployAwsStack, type AwsStack } from './deploy';
export { AWS_DEFAULTS, awsStackOptions, type AwsStackOptions, type AwsTlsOptions, type AwsDnsOptions } from './options';
export { instanceVcpus, instanceVcpusOutput, instanceArchitecture } from './machine-types';
export { appVmUserData, appVmCloudConfig } from './app-user-data';
export { proxyVmUserData, proxyVmCloudConfig } from './proxy-user-data';
export { withTlsListener, AWS_TLS_MODES, ACME_DIRECTORY, type AwsTlsMode, type AwsProxyConfig, type TlsSection, type AcmeSection } from './proxy-tls';
export { renderCloudConfig, type CloudConfig } from './cloud-init';
export { readAwsConfig, AWS_CONFIG_DEFAULTS } from './config';
