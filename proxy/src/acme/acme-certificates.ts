// The certificates the AcmeManager serves, as the TLS listeners take them: one entry per name,
// owned by the proxy (not by a listener's certificate store, which a reload or a ticket key
// rotation rebuilds), so issued certificates survive reloads. Listeners with `tls.acme` subscribe
// and rebuild their store when an entry changes; connections already open keep their context.
import type { CertificatePair } from './certificate-files';
import type { CertificateSink, CertificateSource } from './acme-manager';

export interface AcmeCertificate {
  hostname: string;
  cert: Buffer;
  key: Buffer;
  /** The PEM chain as issued (leaf first): what OCSP stapling watches. */
  chainPem: string;
  source: CertificateSource;
}

export class AcmeCertificates implements CertificateSink {
  private readonly entries = new Map<string, AcmeCertificate>();
  private readonly subscribers = new Set<() => void>();

  install(hostname: string, pair: CertificatePair, source: CertificateSource): void {
    this.entries.set(hostname, { hostname, cert: Buffer.from(pair.certPem), key: Buffer.from(pair.keyPem), chainPem: pair.certPem, source });
    this.changed();
  }

  remove(hostname: string): void {
    if (this.entries.delete(hostname)) this.changed();
  }

  /** Drops every entry (ACME turned off by a reload). */
  clear(): void {
    if (this.entries.size === 0) return;
    this.entries.clear();
    this.changed();
  }

  /** The current certificates, in the order the names were first installed. */
  all(): AcmeCertificate[] {
    return [...this.entries.values()];
  }

  get(hostname: string): AcmeCertificate | undefined {
    return this.entries.get(hostname);
  }

  /** Calls `fn` after every change; returns how to stop. */
  subscribe(fn: () => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  private changed(): void {
    for (const fn of this.subscribers) fn();
  }
}
