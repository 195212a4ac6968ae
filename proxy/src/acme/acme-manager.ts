// Automatic certificates for the configured names, as Caddy and kamal-proxy do: a stored
// certificate is served while valid; a missing one gets a self-signed stand-in until the first
// issuance; each is renewed `renewBefore` its expiry; a failure keeps the current certificate and
// retries with a doubling delay (retryMin .. retryMax). One order at a time (rate limits).
// The manager owns its timers and tokens across reloads; `reconfigure` adopts a new name list.
import { X509Certificate } from 'node:crypto';
import type { ResolvedAcme } from '../config/resolved';
import type { Logger } from '../log';
import { AcmeIssuer, type IssuerOptions } from './acme-issuer';
import { CertificateFiles, type CertificatePair } from './certificate-files';
import { ChallengeTokens } from './challenge-tokens';
import { selfSignedCertificate } from './self-signed';
import { readStoredCertificate, type StoredCertificate } from './stored-certificate';

export type CertificateSource = 'stored' | 'issued' | 'self-signed';

/** Who serves the certificates (the TLS listeners' certificate table). */
export interface CertificateSink {
  install(hostname: string, pair: CertificatePair, source: CertificateSource): void;
  remove(hostname: string): void;
}

export interface NameStatus {
  hostname: string;
  /** 'order': this proxy orders the certificate; 'follow': it serves what another proxy stored. */
  mode: ResolvedAcme['mode'];
  source: CertificateSource | null;
  notAfter: string | null;
  failures: number;
  lastError: string | null;
  nextAttemptAt: string | null;
}

/** setTimeout's limit (2^31-1 ms, ~24.8 days): longer waits are re-planned when it fires. */
const MAX_TIMER = 2 ** 31 - 1;

interface NameState {
  status: NameStatus;
  timer: NodeJS.Timeout | null;
}

/** What the proxy runs for its `acme`: the manager that orders (mode order) or a follower. */
export interface CertificateAutomation {
  readonly mode: ResolvedAcme['mode'];
  /** The HTTP-01 answers plain listeners give; null: this proxy answers none (a follower routes them). */
  readonly tokens: ChallengeTokens | null;
  start(): Promise<void>;
  /** A reload with the same mode: names added are adopted, names dropped leave the sink. */
  reconfigure(settings: ResolvedAcme): Promise<void>;
  status(): NameStatus[];
  close(): void;
}

export class AcmeManager implements CertificateAutomation {
  readonly mode = 'order';
  readonly tokens = new ChallengeTokens();
  private readonly names = new Map<string, NameState>();
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private files: CertificateFiles;
  private issuer: AcmeIssuer;

  constructor(
    private settings: ResolvedAcme,
    private readonly sink: CertificateSink,
    private readonly log: Logger,
    private readonly issuerOptions: IssuerOptions = {},
  ) {
    this.files = new CertificateFiles(settings.storage);
    this.issuer = new AcmeIssuer(settings, this.files, this.tokens, issuerOptions);
  }

  /** Serves what is stored (or a stand-in) for every name now; orders what is missing or due. */
  async start(): Promise<void> {
    // One after the other: the sink keeps the order of first installs, and the first name is the
    // TLS listeners' default certificate (in parallel, whichever stand-in was made first won).
    await this.adoptMissing(this.settings.hostnames);
  }

  /** A reload: names added are adopted, names dropped stop renewing and leave the sink. */
  async reconfigure(settings: ResolvedAcme): Promise<void> {
    const sameAccount = settings.directory === this.settings.directory && settings.storage === this.settings.storage && settings.caFile === this.settings.caFile;
    this.settings = settings;
    if (!sameAccount) {
      this.files = new CertificateFiles(settings.storage);
      this.issuer = new AcmeIssuer(settings, this.files, this.tokens, this.issuerOptions);
    }
    const wanted = new Set(settings.hostnames);
    for (const [hostname, state] of this.names) {
      if (wanted.has(hostname)) continue;
      if (state.timer) clearTimeout(state.timer);
      this.names.delete(hostname);
      this.sink.remove(hostname);
    }
    await this.adoptMissing(settings.hostnames);
  }

  /** In order; a name a later reload dropped (or one adopted meanwhile) is skipped when its turn comes. */
  private async adoptMissing(hostnames: readonly string[]): Promise<void> {
    for (const hostname of hostnames) {
      if (this.closed || this.names.has(hostname) || !this.settings.hostnames.includes(hostname)) continue;
      await this.adopt(hostname);
    }
  }

  status(): NameStatus[] {
    return [...this.names.values()].map((s) => ({ ...s.status }));
  }

  close(): void {
    this.closed = true;
    for (const state of this.names.values()) if (state.timer) clearTimeout(state.timer);
  }

  /** Resolves once every order queued so far has finished (tests, shutdown). */
  settled(): Promise<void> {
    return this.queue;
  }

  private async adopt(hostname: string): Promise<void> {
    const state: NameState = {
      status: { hostname, mode: 'order', source: null, notAfter: null, failures: 0, lastError: null, nextAttemptAt: null },
      timer: null,
    };
    this.names.set(hostname, state);
    const stored = await this.loadStored(hostname);
    // Dropped by a reload (or closed) while its storage was read: not served.
    if (this.closed || this.names.get(hostname) !== state) return;
    if (stored) {
      this.serve(state, stored.pair, 'stored', stored.notAfter);
      this.plan(state, stored.notAfter - this.settings.renewBefore);
      return;
    }
    const standIn = await selfSignedCertificate([hostname]);
    if (this.closed || this.names.get(hostname) !== state) return;
    this.serve(state, standIn, 'self-signed', null);
    this.plan(state, Date.now());
  }

  private async loadStored(hostname: string): Promise<StoredCertificate | null> {
    try {
      return await readStoredCertificate(this.files, hostname);
    } catch (err) {
      this.log.warn({ hostname, err: (err as Error).message, storage: this.settings.storage }, 'acme: stored certificate unusable; ordering a new one');
      return null;
    }
  }

  private serve(state: NameState, pair: CertificatePair, source: CertificateSource, notAfter: number | null): void {
    state.status.source = source;
    state.status.notAfter = notAfter === null ? null : new Date(notAfter).toISOString();
    this.sink.install(state.status.hostname, pair, source);
  }

  private plan(state: NameState, at: number): void {
    if (this.closed || this.names.get(state.status.hostname) !== state) return;
    if (state.timer) clearTimeout(state.timer);
    const delay = Math.max(0, at - Date.now());
    state.status.nextAttemptAt = new Date(Date.now() + delay).toISOString();
    state.timer = setTimeout(() => {
      state.timer = null;
      if (delay > MAX_TIMER) this.plan(state, at);
      else this.enqueue(state);
    }, Math.min(delay, MAX_TIMER));
    state.timer.unref();
  }

  private enqueue(state: NameState): void {
    this.queue = this.queue.then(() => this.order(state));
  }

  private async order(state: NameState): Promise<void> {
    const hostname = state.status.hostname;
    if (this.closed || this.names.get(hostname) !== state) return;
    try {
      const pair = await this.issuer.issue(hostname);
      const notAfter = Date.parse(new X509Certificate(pair.certPem).validTo);
      await this.files.save(hostname, pair);
      if (this.closed || this.names.get(hostname) !== state) return;
      state.status.failures = 0;
      state.status.lastError = null;
      this.serve(state, pair, 'issued', notAfter);
      this.log.info({ hostname, notAfter: state.status.notAfter }, 'acme: certificate issued');
      this.plan(state, notAfter - this.settings.renewBefore);
    } catch (err) {
      state.status.failures++;
      state.status.lastError = (err as Error).message;
      const delay = retryDelay(state.status.failures, this.settings.retryMin, this.settings.retryMax);
      this.log.error({ hostname, err: state.status.lastError, failures: state.status.failures, retryInMs: delay }, 'acme: certificate order failed; keeping the current certificate');
      this.plan(state, Date.now() + delay);
    }
  }
}

/** The wait after the `failures`-th failure in a row: retryMin, doubling, at most retryMax. */
export function retryDelay(failures: number, retryMin: number, retryMax: number): number {
  return Math.min(retryMin * 2 ** Math.min(failures - 1, 40), retryMax);
}
