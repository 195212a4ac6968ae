// Let's Encrypt's test server (Debian's `pebble`) with `pebble-challtestsrv` as its DNS, answering
// every name with 127.0.0.1, so HTTP-01 validation reaches a listener of the test on `httpPort`.
// Debian ships pebble without its test certificates: the helper makes a CA and a 127.0.0.1 /
// localhost certificate for pebble's own HTTPS with openssl, and returns the CA to trust.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import type { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { describeIfAvailable } from './docker';
import { freePort } from './free-port';

export const PEBBLE = '/usr/bin/pebble';
export const CHALLTESTSRV = '/usr/bin/pebble-challtestsrv';

export function describeWithPebble(name: string, fn: () => void): void {
  const ok = existsSync(PEBBLE) && existsSync(CHALLTESTSRV);
  describeIfAvailable(name, 'pebble', { ok, reason: 'apt-get install pebble (.ci/run does)' }, fn);
}

export interface Pebble {
  /** The ACME directory URL. */
  directory: string;
  /** The PEM file of the CA behind pebble's own HTTPS (trust it in the ACME client). */
  caFile: string;
  /** Pebble's issuing root, PEM (the chain of issued certificates ends under it). */
  issuerRoot(): Promise<string>;
  /** The intermediate that signs issued certificates, and its key (PEM): an OCSP responder signs with them. */
  intermediate(): Promise<{ certPem: string; keyPem: string }>;
  stop(): Promise<void>;
}


function serverCertificate(dir: string): { caFile: string; certFile: string; keyFile: string } {
  const f = (n: string) => path.join(dir, n);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=pebble test CA', '-keyout', f('ca.key'), '-out', f('ca.pem')]);
  run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=localhost', '-keyout', f('key.pem'), '-out', f('req.pem')]);
  writeFileSync(f('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  run(['x509', '-req', '-in', f('req.pem'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('ext.cnf'), '-out', f('cert.pem')]);
  return { caFile: f('ca.pem'), certFile: f('cert.pem'), keyFile: f('key.pem') };
}

function waitForPort(port: number, child: ChildProcess, output: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`exited (${child.exitCode}) before listening: ${output()}`));
      const sock = net.connect({ host: '127.0.0.1', port });
      sock.once('connect', () => (sock.destroy(), resolve()));
      sock.once('error', () => {
        if (Date.now() > deadline) reject(new Error(`did not listen on ${port}: ${output()}`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

function launch(command: string, args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; output: () => string } {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const keep = (b: Buffer) => (text = (text + b.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, output: () => text };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Starts challtestsrv and pebble; HTTP-01 validations dial 127.0.0.1:`httpPort`. With
 * `ocspResponderURL`, issued certificates name it in their Authority Information Access (pebble
 * runs no responder itself).
 */
export async function startPebble(httpPort: number, opts: { ocspResponderURL?: string } = {}): Promise<Pebble> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portico-pebble-'));
  const tls = serverCertificate(dir);
  const [dnsPort, dnsManagement, acmePort, managementPort, tlsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const dns = launch(CHALLTESTSRV, [
    '-dns01', `127.0.0.1:${dnsPort}`,
    '-http01', '',
    '-https01', '',
    '-tlsalpn01', '',
    '-management', `127.0.0.1:${dnsManagement}`,
    '-defaultIPv6', '',
  ]);
  await waitForPort(dnsManagement, dns.child, dns.output);
  const config = path.join(dir, 'pebble.json');
  writeFileSync(
    config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: tls.certFile,
        privateKey: tls.keyFile,
        httpPort,
        tlsPort,
        ocspResponderURL: opts.ocspResponderURL ?? '',
        externalAccountBindingRequired: false,
      },
    }),
  );
  // `-strict=false` with '=': pebble's flag parser reads `-strict false` as strict on and drops the rest.
  const pebble = launch(PEBBLE, ['-config', config, '-strict=false', '-dnsserver', `127.0.0.1:${dnsPort}`], {
    PEBBLE_VA_NOSLEEP: '1',
    PEBBLE_WFE_NONCEREJECT: '0',
    PEBBLE_AUTHZREUSE: '0',
  });
  try {
    await waitForPort(acmePort, pebble.child, pebble.output);
  } catch (err) {
    await Promise.all([stop(pebble.child), stop(dns.child)]);
    throw new Error(`pebble: ${(err as Error).message}`);
  }
  return {
    directory: `https://127.0.0.1:${acmePort}/dir`,
    caFile: tls.caFile,
    async issuerRoot() {
      const res = await fetchWithCa(`https://127.0.0.1:${managementPort}/roots/0`, tls.caFile);
      return res;
    },
    async intermediate() {
      const get = (what: string) => fetchWithCa(`https://127.0.0.1:${managementPort}/${what}/0`, tls.caFile);
      const [certPem, keyPem] = await Promise.all([get('intermediates'), get('intermediate-keys')]);
      return { certPem, keyPem };
    },
    async stop() {
      await Promise.all([stop(pebble.child), stop(dns.child)]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function fetchWithCa(url: string, caFile: string): Promise<string> {
  const https = await import('node:https');
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca: readFileSync(caFile) }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

/** acme-client settings that retry fast against pebble (its orders are ready within milliseconds). */
export const FAST_ISSUER = { backoffMin: 50, backoffMax: 200, backoffAttempts: 5, networkRetries: 1, networkRetryDelaySeconds: 0.01 };

/** The certificate a TLS listener on 127.0.0.1:`port` presents for `servername` (not verified). */
export function servedCertificate(port: number, servername: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerX509Certificate()!;
      socket.destroy();
      resolve(cert);
    });
    socket.once('error', reject);
  });
}
