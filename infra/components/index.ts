// Portico's Pulumi components, in the style of @pulumi/awsx.
export { WebStack, DEFAULT_TARGET, type WebStackArgs } from './web-stack';
export { EdgeProxy, type EdgeProxyArgs } from './edge-proxy';
export { AppFleet, type AppFleetArgs } from './app-fleet';
export { Certificate, CERTIFICATE_DEFAULTS, type CertificateArgs } from './certificate';
export { ComponentArgsError } from './args-error';
export type { ImageSourceArgs } from './image-source';
