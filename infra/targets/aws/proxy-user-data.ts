// A proxy VM's boot recipe: Docker, an ECR login, the proxy's files pulled from the stack's S3
// bucket (config, secrets, certificates), the proxy container, and a systemd timer that keeps the
// files in step with S3 and reloads the proxy (SIGHUP) when they change. The config lives in S3,
// not in user data, so a replaced app VM (a new private address) reloads the proxies instead of
// replacing them; and the ACME state the proxy writes survives the VM. With several proxy VMs,
// proxy 1 orders the certificates and uploads them; the others (ACME followers) only download
// them, on every run of the timer, and read them (acme.mode follow).
import type { ProxyPlan } from '../../plan';
import { renderCloudConfig, shellQuote, type CloudConfig, type CloudFile } from './cloud-init';
import { containerRuntime, DAEMON_SHUTDOWN_TIMEOUT_S, type RegistryLogin } from './container-runtime';
import { PROXY_CONTAINER_HTTPS_PORT, PROXY_TLS_PATHS, type AwsTlsMode } from './proxy-tls';
import { PROXY_OBJECTS } from './storage-layout';

export interface ProxyVmUserData {
  image: string;
  login?: RegistryLogin;
  region: string;
  bucket: string;
  /** The key prefix the proxy role may use, e.g. `proxy`. */
  prefix: string;
  proxy: ProxyPlan;
  tls: AwsTlsMode;
  /** With tls acme: 'order' (proxy 1: orders, uploads its ACME state) or 'follow' (downloads it only). Default order. */
  acmeMode?: 'order' | 'follow';
  /** How often the timer pulls from S3 (systemd time span). */
  syncInterval?: string;
}

/** The proxy container's name on its VM (the sync script signals it). */
export const PROXY_CONTAINER = 'portico-proxy';
export const SYNC_SCRIPT = '/usr/local/bin/portico-sync';
export const DEFAULT_SYNC_INTERVAL = '30s';
/** The proxy's secrets (sticky key, admin token) as an env file, readable by root only. */
export const PROXY_ENV_FILE = '/etc/portico/proxy.env';
/**
 * The proxy container's user (the node image's `node`, as proxy/Dockerfile's USER), given
 * explicitly so that any proxy image runs unprivileged and owns the files it must read or write:
 * the supplied key (0600) and the ACME directory.
 */
export const PROXY_UID = 1000;
/** The ordering proxy's boot download of its ACME state: attempts, and the first wait (doubling: 2+4+8+16 s). */
export const BOOT_ATTEMPTS = 5;
const BOOT_RETRY_FIRST_WAIT_S = 2;

export function proxyVmCloudConfig(data: ProxyVmUserData): CloudConfig {
  const runtime = containerRuntime(data.login);
  const interval = data.syncInterval ?? DEFAULT_SYNC_INTERVAL;
  return {
    package_update: true,
    packages: runtime.packages,
    write_files: [...runtime.write_files, syncScript(data), ...syncUnits(interval)],
    runcmd: [
      ...runtime.runcmd,
      ['mkdir', '-p', '/etc/portico/tls', PROXY_TLS_PATHS.acmeDir],
      // The first pull must succeed: a proxy without its config would serve nothing.
      [SYNC_SCRIPT, '--boot'],
      proxyContainerRun(data),
      ['systemctl', 'enable', '--now', 'portico-sync.timer'],
    ],
  };
}

export function proxyVmUserData(data: ProxyVmUserData): string {
  return renderCloudConfig(proxyVmCloudConfig(data));
}

/**
 * Traffic ports on every interface (the security group admits 80/443 only); the admin port on
 * the VM's loopback only, reached through SSM port forwarding, never from the network.
 */
export function proxyContainerRun(data: ProxyVmUserData): string[] {
  const { proxy } = data;
  const publish = [`${proxy.publish.http}:${proxy.listenPort}/tcp`];
  if (data.tls !== 'off') publish.push(`${proxy.publish.https}:${PROXY_CONTAINER_HTTPS_PORT}/tcp`);
  publish.push(`${proxy.admin.publish.host}:${proxy.admin.publish.port}:${proxy.admin.listenPort}/tcp`);
  return [
    'docker', 'run', '--detach',
    '--name', PROXY_CONTAINER,
    '--restart', 'unless-stopped',
    '--stop-timeout', String(DAEMON_SHUTDOWN_TIMEOUT_S),
    '--user', `${PROXY_UID}:${PROXY_UID}`,
    ...publish.flatMap((p) => ['--publish', p]),
    '--env', `PORTICO_CONFIG=${proxy.configPath}`,
    '--env-file', PROXY_ENV_FILE,
    // The folder, not the file: the sync script replaces files by rename, which a file mount would miss.
    '--mount', 'type=bind,source=/etc/portico,target=/etc/portico,readonly',
    // A follower only reads it: read-only, so the proxy's user cannot plant a link or a FIFO
    // where root's sync writes and the proxy reads.
    '--mount', `type=bind,source=${PROXY_TLS_PATHS.acmeDir},target=${PROXY_TLS_PATHS.acmeDir}${data.tls === 'acme' && data.acmeMode === 'follow' ? ',readonly' : ''}`,
    data.image,
  ];
}

function syncScript(data: ProxyVmUserData): CloudFile {
  const base = `s3://${data.bucket}/${data.prefix}`;
  const acme = data.tls === 'acme' && data.acmeMode !== 'follow';
  const follows = data.tls === 'acme' && data.acmeMode === 'follow';
  const certs = data.tls === 'certificates';
  const owner = `${PROXY_UID}:${PROXY_UID}`;
  const lines = [
    '#!/bin/sh',
    '# Pulls the proxy files from S3; any change reloads the proxy (SIGHUP). Written by Pulumi.',
    'set -eu',
    'umask 077',
    `export AWS_DEFAULT_REGION=${shellQuote(data.region)}`,
    `BASE=${shellQuote(base)}`,
    'changed=0',
    'fetch() {',
    '  aws s3 cp --only-show-errors "$BASE/$1" "$2.new"',
    '  if cmp -s "$2.new" "$2"; then rm -f "$2.new"; else mv "$2.new" "$2"; changed=1; fi',
    '}',
    `fetch ${follows ? PROXY_OBJECTS.followerConfig : PROXY_OBJECTS.config} /etc/portico/config.json`,
    `fetch ${PROXY_OBJECTS.env} ${PROXY_ENV_FILE}`,
    'chmod 0644 /etc/portico/config.json',
    // Kept 0600 (umask), owned by the proxy's user: it runs unprivileged.
    ...(certs
      ? [
          `fetch ${PROXY_OBJECTS.cert} ${PROXY_TLS_PATHS.certFile}`,
          `fetch ${PROXY_OBJECTS.key} ${PROXY_TLS_PATHS.keyFile}`,
          `chown ${owner} ${PROXY_TLS_PATHS.certFile} ${PROXY_TLS_PATHS.keyFile}`,
        ]
      : []),
    // ACME state outlives the VM: down at boot only (a replaced VM finds its account and
    // certificates), before the proxy starts; from then on the proxy's disk is the newer copy (an S3
    // -> disk sync would put an older certificate back over a renewed one), so only up, without
    // its half-written temporary files.
    // At boot the download is retried with backoff (a transient S3 or credentials error); if it
    // still fails the proxy starts anyway (it orders, or serves its stand-in) and the failure is
    // logged to the journal and cloud-init's output: the proxy then makes a new ACME account and
    // orders again, which counts against Let's Encrypt's rate limits (infra/README.md).
    ...(acme
      ? [
          `log() { echo "portico-sync: $*" >&2; logger -t portico-sync -p user.err -- "$*" 2>/dev/null || :; }`,
          `retry() { n=1; delay=${BOOT_RETRY_FIRST_WAIT_S}; until "$@"; do [ "$n" -lt ${BOOT_ATTEMPTS} ] || return 1; log "attempt $n of ${BOOT_ATTEMPTS} failed: $*; again in \${delay}s"; sleep "$delay"; n=$((n + 1)); delay=$((delay * 2)); done; }`,
          `if [ "\${1:-}" = --boot ] && ! retry aws s3 sync --only-show-errors "$BASE/${PROXY_OBJECTS.acmeDir}" ${PROXY_TLS_PATHS.acmeDir}; then`,
          `  log "ERROR: the ACME state (account, certificates) could not be downloaded from $BASE/${PROXY_OBJECTS.acmeDir} after ${BOOT_ATTEMPTS} attempts; the proxy starts without it and orders anew under a new account (Let's Encrypt rate limits apply)"`,
          'fi',
          `chown -R ${owner} ${PROXY_TLS_PATHS.acmeDir}`,
          // Root uploads what the unprivileged proxy wrote: a symlink it planted (to a host file) stays a link.
          `aws s3 sync --only-show-errors --no-follow-symlinks --exclude '*.tmp' ${PROXY_TLS_PATHS.acmeDir} "$BASE/${PROXY_OBJECTS.acmeDir}"`,
        ]
      : []),
    // A follower: S3 -> disk only, every run (the proxy re-reads its folder every acme.followInterval;
    // a pair caught half-synced is ignored until both files are there). It never writes S3, and needs
    // no account key. Files land root-owned, then chown: a read in between fails and is retried.
    ...(follows
      ? [
          `aws s3 sync --only-show-errors --exclude ${PROXY_OBJECTS.acmeAccountKey} --exclude '*.tmp' "$BASE/${PROXY_OBJECTS.acmeDir}" ${PROXY_TLS_PATHS.acmeDir}`,
          `chown -R ${owner} ${PROXY_TLS_PATHS.acmeDir}`,
        ]
      : []),
    'if [ "${1:-}" = --boot ]; then exit 0; fi',
    // The env file (generated secrets, made once) is read at container start: SIGHUP does not reread it.
    `if [ "$changed" = 1 ]; then docker kill --signal HUP ${PROXY_CONTAINER} >/dev/null; fi`,
    '',
  ];
  return { path: SYNC_SCRIPT, content: lines.join('\n'), permissions: '0700', owner: 'root:root' };
}

function syncUnits(interval: string): CloudFile[] {
  const service = [
    '[Unit]',
    'Description=Pull Portico proxy files from S3 and reload the proxy on change',
    'After=docker.service',
    '[Service]',
    'Type=oneshot',
    `ExecStart=${SYNC_SCRIPT}`,
    '',
  ].join('\n');
  const timer = ['[Unit]', 'Description=Portico proxy file sync', '[Timer]', `OnBootSec=${interval}`, `OnUnitActiveSec=${interval}`, '[Install]', 'WantedBy=timers.target', ''].join('\n');
  return [
    { path: '/etc/systemd/system/portico-sync.service', content: service, permissions: '0644' },
    { path: '/etc/systemd/system/portico-sync.timer', content: timer, permissions: '0644' },
  ];
}
