// OCSP stapling (NGINX ssl_stapling): for every served certificate whose issuer is known and that
// names a responder, the status is fetched in the background, checked, cached, and refreshed half
// way to its nextUpdate; a handshake never waits for a responder (no staple until one arrived, as
// NGINX). A failed fetch keeps the cached answer while it is current and retries with a doubling delay.
import { createHash, X509Certificate } from 'node:crypto';
import type { Logger } from '../log';
import { postOcsp, type OcspFetch } from './ocsp-fetch';
import { certId, ocspRequest, responderUrl } from './ocsp-request';
import { checkResponse, type CheckedResponse } from './ocsp-response';

const FETCH_TIMEOUT = 10_000;
const MIN_REFRESH = 60_000;
const NO_NEXT_UPDATE_REFRESH = 3_600_000;
const RETRY_MIN = 60_000;
const RETRY_MAX = 3_600_000;

export interface StaplerTiming {
  retryMin?: number;
  minRefresh?: number;
}

interface Watched {
  leaf: Buffer;
  issuer: Buffer;
  url: string;
  response: CheckedResponse | null;
  failures: number;
  timer: NodeJS.Timeout | null;
  /** Resolves when the fetch in flight (or the last one) is over. */
  fetching: Promise<void>;
}

export class OcspStapler {
  private readonly watched = new Map<string, Watched>();

  constructor(
    private readonly log: Logger,
    private readonly fetch: OcspFetch = postOcsp,
    private readonly timing: StaplerTiming = {},
  ) {}

  /**
   * Starts keeping `chainPem`'s status (leaf first, then its issuer). Certificates without an
   * issuer in the chain or without a responder URL are skipped with a debug line.
   */
  watch(chainPem: string): void {
    const certs = splitPem(chainPem);
    if (certs.length < 2) return;
    const leaf = new X509Certificate(certs[0]);
    const url = responderUrl(leaf);
    if (url === null) return;
    const key = fingerprint(leaf.raw);
    if (this.watched.has(key)) return;
    const entry: Watched = { leaf: leaf.raw, issuer: new X509Certificate(certs[1]).raw, url, response: null, failures: 0, timer: null, fetching: Promise.resolve() };
    this.watched.set(key, entry);
    this.refresh(key, entry);
  }

  /** Stops watching every certificate not in `chainsPem` (after a reload). */
  retain(chainsPem: readonly string[]): void {
    const keep = new Set(chainsPem.map((pem) => splitPem(pem)[0]).filter(Boolean).map((c) => fingerprint(new X509Certificate(c).raw)));
    for (const [key, entry] of this.watched) {
      if (keep.has(key)) continue;
      if (entry.timer) clearTimeout(entry.timer);
      this.watched.delete(key);
    }
  }

  /** node:tls 'OCSPRequest': the cached, current response for the certificate being served, if any. */
  readonly handle = (certificate: Buffer, _issuer: Buffer | null, callback: (err: Error | null, response?: Buffer) => void): void => {
    const entry = this.watched.get(fingerprint(certificate));
    const response = entry?.response;
    if (!response || (response.nextUpdate !== null && response.nextUpdate < Date.now())) callback(null);
    else callback(null, response.der);
  };

  /** The cached status of a watched chain's leaf (tests, the status API). */
  status(chainPem: string): CheckedResponse | null {
    const leaf = splitPem(chainPem)[0];
    return leaf ? (this.watched.get(fingerprint(new X509Certificate(leaf).raw))?.response ?? null) : null;
  }

  /** Resolves once the fetches in flight are over (tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.watched.values()].map((w) => w.fetching));
  }

  close(): void {
    for (const entry of this.watched.values()) if (entry.timer) clearTimeout(entry.timer);
    this.watched.clear();
  }

  private refresh(key: string, entry: Watched): void {
    entry.fetching = this.fetchOnce(entry).then((next) => {
      if (this.watched.get(key) !== entry) return;
      entry.timer = setTimeout(() => this.refresh(key, entry), next);
      entry.timer.unref();
    });
  }

  /** Fetches and checks once; returns the delay until the next fetch. */
  private async fetchOnce(entry: Watched): Promise<number> {
    try {
      const id = certId(entry.leaf, entry.issuer);
      const der = await this.fetch(entry.url, ocspRequest(entry.leaf, entry.issuer), FETCH_TIMEOUT);
      const checked = checkResponse(der, id, entry.issuer);
      if (checked.status !== 'good' && entry.response?.status !== checked.status) {
        this.log.warn({ responder: entry.url, status: checked.status }, 'ocsp: certificate status is not good');
      }
      entry.response = checked;
      entry.failures = 0;
      if (checked.nextUpdate === null) return NO_NEXT_UPDATE_REFRESH;
      return Math.max(this.timing.minRefresh ?? MIN_REFRESH, (checked.nextUpdate - Date.now()) / 2);
    } catch (err) {
      entry.failures++;
      if (entry.response?.nextUpdate != null && entry.response.nextUpdate < Date.now()) entry.response = null; // never staple an expired answer
      const retryMin = this.timing.retryMin ?? RETRY_MIN;
      const delay = Math.min(retryMin * 2 ** Math.min(entry.failures - 1, 20), RETRY_MAX);
      this.log.warn({ responder: entry.url, err: (err as Error).message, retryInMs: delay }, 'ocsp: fetching the certificate status failed');
      return delay;
    }
  }
}

function fingerprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('base64');
}

/** Every certificate in a PEM bundle, each as its own PEM block. */
function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
