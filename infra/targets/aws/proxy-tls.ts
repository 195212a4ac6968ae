// The proxy's TLS listener on AWS, in the shape the proxy's TLS and ACME work (issue 11) is to
// read: a listener with a `tls` section holding either an `acme` block (Let's Encrypt, its state
// in a directory that the VM keeps in S3) or certificate files (supplied as Pulumi secrets).
import type { ListenerConfig, ProxyConfig } from '../../../proxy/src/config/schema';

export type AwsTlsMode = 'acme' | 'certificates' | 'off';
export const AWS_TLS_MODES: readonly AwsTlsMode[] = ['acme', 'certificates', 'off'];

export const ACME_DIRECTORY = {
  production: 'https://acme-v02.api.letsencrypt.org/directory',
  staging: 'https://acme-staging-v02.api.letsencrypt.org/directory',
} as const;

/** Inside the proxy container (and the same path on its VM, bind-mounted). */
export const PROXY_TLS_PATHS = {
  /** ACME account key, certificates and keys: read and written by the proxy, synced with S3. */
  acmeDir: '/var/lib/portico/acme',
  /** Supplied certificates: read-only, synced down from S3. */
  certFile: '/etc/portico/tls/cert.pem',
  keyFile: '/etc/portico/tls/key.pem',
} as const;

/** The proxy's HTTPS port inside its container; the VM publishes it on 443. */
export const PROXY_CONTAINER_HTTPS_PORT = 8443;

export interface AcmeSection {
  directoryUrl: string;
  /** Contact for expiry notices; optional at Let's Encrypt. */
  email?: string;
  /** Every name one certificate covers (SAN); a `*.` name needs dns-01. */
  hostnames: string[];
  /** Where the account key and certificates live; the proxy reloads them on SIGHUP. */
  storageDir: string;
  /**
   * http-01 when one proxy answers every request for the names; dns-01 (Route53) behind a load
   * balancer, where the proxy that ordered may not be the one Let's Encrypt reaches.
   */
  challenge: 'http-01' | 'dns-01';
  dns?: { provider: 'route53'; hostedZoneId: string };
}

export interface TlsSection {
  acme?: AcmeSection;
  certificates?: { certFile: string; keyFile: string }[];
}

export type TlsListenerConfig = ListenerConfig & { tls: TlsSection };
export type AwsProxyConfig = Omit<ProxyConfig, 'listeners'> & { listeners: (ListenerConfig | TlsListenerConfig)[] };

export interface ProxyTlsPlan {
  mode: AwsTlsMode;
  hostnames: string[];
  staging?: boolean;
  email?: string;
  /** Set for dns-01 (several proxies behind a load balancer). */
  hostedZoneId?: string;
}

/** `config` plus the HTTPS listener; unchanged when TLS is off. */
export function withTlsListener(config: ProxyConfig, plan: ProxyTlsPlan): AwsProxyConfig {
  if (plan.mode === 'off') return config;
  const http = config.listeners[0];
  const listener: TlsListenerConfig = { name: 'https', host: http.host, port: PROXY_CONTAINER_HTTPS_PORT, tls: tlsSection(plan) };
  return { ...config, listeners: [...config.listeners, listener] };
}

function tlsSection(plan: ProxyTlsPlan): TlsSection {
  if (plan.mode === 'certificates') return { certificates: [{ certFile: PROXY_TLS_PATHS.certFile, keyFile: PROXY_TLS_PATHS.keyFile }] };
  const wildcard = plan.hostnames.some((h) => h.startsWith('*.'));
  const dns01 = plan.hostedZoneId !== undefined;
  if (wildcard && !dns01) throw new Error(`ACME for ${plan.hostnames.join(', ')}: a wildcard name needs dns-01, which needs a hosted zone`);
  return {
    acme: {
      directoryUrl: plan.staging ? ACME_DIRECTORY.staging : ACME_DIRECTORY.production,
      ...(plan.email && { email: plan.email }),
      hostnames: [...plan.hostnames],
      storageDir: PROXY_TLS_PATHS.acmeDir,
      challenge: dns01 ? 'dns-01' : 'http-01',
      ...(dns01 && { dns: { provider: 'route53', hostedZoneId: plan.hostedZoneId! } }),
    },
  };
}
