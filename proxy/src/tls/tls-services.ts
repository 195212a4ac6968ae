// What every TLS listener shares and the proxy owns across reloads: the ACME certificates and one
// OCSP stapler (each certificate's status is fetched once, whichever listeners serve it). The
// stapler watches every chain a listener with ocspStapling serves, and forgets the ones no
// listener serves any more (a reload, a renewal, changed files).
import { AcmeCertificates } from '../acme/acme-certificates';
import type { Logger } from '../log';
import { OcspStapler } from '../ocsp/ocsp-stapler';

export interface StaplingListener {
  /** The chains it staples for now (none when its ocspStapling is off). */
  stapledChains(): string[];
}

export class TlsServices {
  readonly acme = new AcmeCertificates();
  readonly stapler: OcspStapler;
  private readonly listeners = new Set<StaplingListener>();

  constructor(private readonly log: Logger) {
    this.stapler = new OcspStapler(log);
  }

  join(listener: StaplingListener): void {
    this.listeners.add(listener);
  }

  leave(listener: StaplingListener): void {
    if (this.listeners.delete(listener)) this.certificatesChanged();
  }

  /** Watches a served chain (one without an issuer or a responder is skipped by the stapler). */
  staple(chainPem: string): void {
    try {
      this.stapler.watch(chainPem);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'ocsp: certificate chain not stapled');
    }
  }

  /** A listener's certificates changed: chains no listener serves any more stop being fetched. */
  certificatesChanged(): void {
    this.stapler.retain([...this.listeners].flatMap((l) => l.stapledChains()));
  }

  close(): void {
    this.stapler.close();
    this.listeners.clear();
  }
}
