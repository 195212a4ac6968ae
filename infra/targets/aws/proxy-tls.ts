// The proxy's HTTPS listener on AWS, in the proxy's own config shape (proxy/src/config/schema.ts):
// supplied certificates as PEM files synced from S3, or the proxy's ACME (top-level `acme`, HTTP-01
// answered on its plain listener, state in a directory the VM keeps in S3) with `tls.acme: true`.
import type { AcmeConfig, ListenerConfig, ListenerTlsConfig, ProxyConfig } from '../../../proxy/src/config/schema';

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

export interface ProxyTlsPlan {
  mode: AwsTlsMode;
  hostnames: readonly string[];
  staging?: boolean;
  email?: string;
}

/** `config` plus the HTTPS listener (and, for ACME, the top-level `acme`); unchanged when TLS is off. */
export function withTlsListener(config: ProxyConfig, plan: ProxyTlsPlan): ProxyConfig {
  if (plan.mode === 'off') return config;
  const http = config.listeners[0];
  const tls: ListenerTlsConfig = plan.mode === 'acme' ? { acme: true } : { certificates: [{ cert: PROXY_TLS_PATHS.certFile, key: PROXY_TLS_PATHS.keyFile }] };
  const listener: ListenerConfig = { name: 'https', host: http.host, port: PROXY_CONTAINER_HTTPS_PORT, tls };
  return { ...config, listeners: [...config.listeners, listener], ...(plan.mode === 'acme' && { acme: acmeSection(plan) }) };
}

function acmeSection(plan: ProxyTlsPlan): AcmeConfig {
  return {
    hostnames: [...plan.hostnames],
    ...(plan.email && { email: plan.email }),
    directory: plan.staging ? ACME_DIRECTORY.staging : ACME_DIRECTORY.production,
    storage: PROXY_TLS_PATHS.acmeDir,
    // Said, not defaulted: beside the followers' configs (asAcmeFollower), which proxy orders is plain.
    mode: 'order',
  };
}

/** The upstream a follower sends HTTP-01 challenges to: the proxy that orders. */
export const ACME_LEADER_UPSTREAM = 'acme-leader';
/** A challenge as a validation server sends it: the prefix and one token (RFC 8555 §8.1: base64url). */
export const ACME_CHALLENGE_PATHS = '^/\\.well-known/acme-challenge/[A-Za-z0-9_-]+$';

/**
 * An ACME config for a proxy that does not order (several proxies behind one load balancer): it
 * serves the certificates the leader stores (its storage synced down) and sends challenge requests,
 * which the load balancer may route to any proxy, to the leader's plain listener at `leaderAddress`.
 * The route is first and a regex, so it wins over every app route of its server (regexes are
 * tried in order, before prefixes); a host named by app routes is a server of its own (NGINX's
 * server_name), which a host-less route never reaches, so the route names those hosts too.
 * redirectToHttps spares such paths already.
 */
export function asAcmeFollower(config: ProxyConfig, leaderAddress: string): ProxyConfig {
  if (config.acme === undefined) return config;
  const hosts = [...new Set(config.routes.flatMap((r) => r.match?.host ?? []))];
  const challenges = { pathRegex: ACME_CHALLENGE_PATHS };
  // No Upgrade: a challenge is a plain GET, and nothing else may tunnel to the leader through it.
  const proxy = { upstream: ACME_LEADER_UPSTREAM, upgrades: [] };
  return {
    ...config,
    upstreams: { ...config.upstreams, [ACME_LEADER_UPSTREAM]: { servers: [{ address: leaderAddress }] } },
    routes: [
      { name: 'acme-challenges', match: challenges, proxy },
      ...(hosts.length ? [{ name: 'acme-challenges-hosts', match: { host: hosts, ...challenges }, proxy }] : []),
      ...config.routes,
    ],
    acme: { ...config.acme, mode: 'follow' },
  };
}

/** A name the proxy's ACME accepts (its schema's pattern): at least two labels, no wildcard, no IP literal. */
const ACME_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/**
 * Why the proxy's ACME cannot get certificates for these names, or undefined. `at` prefixes the
 * field names (`aws.` for a component's args). The proxy validates by HTTP-01 only: a wildcard
 * name needs dns-01. (Several proxy VMs are fine: proxy 1 orders, the others follow it.)
 */
export function acmeProblem(hostnames: readonly string[], at: string): string | undefined {
  const instead = `use ${at}tls.mode certificates (stack config awsTls: certificates)`;
  const wildcard = hostnames.find((h) => h.startsWith('*.'));
  if (wildcard !== undefined) return `ACME cannot issue ${wildcard}: a wildcard name needs dns-01 and the proxy validates by HTTP-01 only; ${instead}, or list each name`;
  const local = hostnames.find((h) => !ACME_NAME.test(h) || /^[\d.]+$/.test(h));
  if (local !== undefined) return `ACME needs public DNS names (hostnames), got "${local}"; ${instead}, or ${at}tls.mode off`;
  return undefined;
}

/** Why a supplied PEM value cannot be used, or undefined (a plain string only: an Output is checked when known). */
export function pemProblem(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return `${field} is required`;
  if (typeof value === 'string' && value.trim() === '') return `${field} is empty`;
  return undefined;
}
