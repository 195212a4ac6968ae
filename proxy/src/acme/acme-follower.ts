// acme.mode 'follow': several proxies behind one load balancer, one of them ordering (HTTP-01 may
// reach any of them, so the others route challenges to it). A follower never talks to the ACME
// server and never writes the storage: it serves the certificates the ordering proxy stores there
// (synced to this machine by other means), re-read every followInterval and on reload. Until a
// usable pair is there it serves the self-signed stand-in; a pair that is unreadable, does not
// match its key (a renewal half synced) or does not name the host is ignored and the certificate
// already served stays. One log line per change of state, not per re-read.
import type { ResolvedAcme } from '../config/resolved';
import type { Logger } from '../log';
import type { CertificateAutomation, CertificateSink, NameStatus } from './acme-manager';
import { CertificateFiles, type CertificatePair } from './certificate-files';
import { selfSignedCertificate } from './self-signed';
import { readStoredCertificate, samePair, type StoredCertificate } from './stored-certificate';

interface FollowedName {
  status: NameStatus;
  /** The stored pair being served; null: the stand-in (or nothing yet). */
  served: CertificatePair | null;
  /** What the last re-read found, as last logged: 'serving', 'missing', or the problem. */
  seen: string | null;
  /** The pair whose coming expiry was last logged (once per pair). */
  expiryLogged: CertificatePair | null;
}

const MISSING = 'no certificate in storage yet';

export class AcmeFollower implements CertificateAutomation {
  readonly mode = 'follow';
  readonly tokens = null;
  private readonly names = new Map<string, FollowedName>();
  private files: CertificateFiles;
  private timer: NodeJS.Timeout | null = null;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private settings: ResolvedAcme,
    private readonly sink: CertificateSink,
    private readonly log: Logger,
  ) {
    this.files = new CertificateFiles(settings.storage);
  }

  /** Serves what storage holds (or a stand-in) for every name, then re-reads every followInterval. */
  start(): Promise<void> {
    return this.refresh();
  }

  async reconfigure(settings: ResolvedAcme): Promise<void> {
    if (settings.storage !== this.settings.storage) this.files = new CertificateFiles(settings.storage);
    this.settings = settings;
    const wanted = new Set(settings.hostnames);
    for (const hostname of this.names.keys()) {
      if (wanted.has(hostname)) continue;
      this.names.delete(hostname);
      this.sink.remove(hostname);
    }
    await this.refresh();
  }

  /** Re-reads the storage now (a reload, SIGHUP); re-reads never overlap. */
  refresh(): Promise<void> {
    this.queue = this.queue.then(() => this.readAll());
    return this.queue;
  }

  status(): NameStatus[] {
    return [...this.names.values()].map((n) => ({ ...n.status }));
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async readAll(): Promise<void> {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      // In config order: the first name's certificate is the TLS listeners' default (the sink keeps install order).
      // A name a reload dropped meanwhile is skipped (this.settings is the newest list).
      const names = this.settings.hostnames;
      for (const hostname of names) if (this.settings.hostnames.includes(hostname)) await this.follow(hostname);
    } catch (err) {
      // Reads are caught per name; this is the stand-in or the sink failing. The next re-read still comes.
      this.log.error({ err: (err as Error).message }, 'acme: following: re-reading the storage failed');
    }
    if (this.closed) return;
    const next = Date.now() + this.settings.followInterval;
    for (const n of this.names.values()) n.status.nextAttemptAt = new Date(next).toISOString();
    this.timer = setTimeout(() => void this.refresh(), this.settings.followInterval);
    this.timer.unref();
  }

  private async follow(hostname: string): Promise<void> {
    let state = this.names.get(hostname);
    if (state === undefined) {
      state = {
        status: { hostname, mode: 'follow', source: null, notAfter: null, failures: 0, lastError: null, nextAttemptAt: null },
        served: null,
        seen: null,
        expiryLogged: null,
      };
      this.names.set(hostname, state);
    }
    let stored: StoredCertificate | null = null;
    let problem: string | null = null;
    try {
      stored = await readStoredCertificate(this.files, hostname);
    } catch (err) {
      problem = (err as Error).message;
    }
    if (this.closed || this.names.get(hostname) !== state) return;
    if (stored !== null) this.serveStored(state, stored);
    else await this.keepCurrent(state, problem);
  }

  private serveStored(state: FollowedName, stored: StoredCertificate): void {
    const hostname = state.status.hostname;
    const notAfter = new Date(stored.notAfter).toISOString();
    const previous = state.served;
    state.status.lastError = null;
    this.warnIfNotRenewed(state, stored);
    if (previous !== null && samePair(previous, stored.pair)) {
      if (state.seen !== 'serving') this.log.info({ hostname, notAfter }, 'acme: following: stored certificate usable again');
      state.seen = 'serving';
      return;
    }
    state.served = stored.pair;
    state.seen = 'serving';
    state.status.source = 'stored';
    state.status.notAfter = notAfter;
    this.sink.install(hostname, stored.pair, 'stored');
    const what = previous === null ? 'appeared' : 'changed';
    this.log.info({ hostname, notAfter, storage: this.settings.storage }, `acme: following: certificate ${what}; serving it`);
  }

  /**
   * The ordering proxy renews `renewBefore` ahead of expiry; a stored certificate past half of that
   * window means it has not for a while (down, or failing): said once per certificate, as a warning.
   */
  private warnIfNotRenewed(state: FollowedName, stored: StoredCertificate): void {
    const left = stored.notAfter - Date.now();
    if (left > this.settings.renewBefore / 2 || state.expiryLogged === stored.pair || (state.expiryLogged !== null && samePair(state.expiryLogged, stored.pair))) return;
    state.expiryLogged = stored.pair;
    const days = Math.max(0, Math.floor(left / 86_400_000));
    this.log.warn(
      { hostname: state.status.hostname, notAfter: new Date(stored.notAfter).toISOString(), storage: this.settings.storage },
      `acme: following: the stored certificate expires in ${days} day${days === 1 ? '' : 's'} and the ordering proxy has not renewed it; check that proxy`,
    );
  }

  /** Nothing usable stored: the certificate served stays (the stand-in if there is none yet). */
  private async keepCurrent(state: FollowedName, problem: string | null): Promise<void> {
    const hostname = state.status.hostname;
    const seen = problem ?? MISSING;
    state.status.lastError = seen;
    if (state.seen !== seen) {
      state.seen = seen;
      const keeping = state.served === null ? 'serving the self-signed stand-in' : 'keeping the certificate served';
      const fields = { hostname, storage: this.settings.storage, ...(problem !== null && { err: problem }) };
      if (problem === null) this.log.info(fields, `acme: following: ${MISSING}; ${keeping}`);
      else this.log.warn(fields, `acme: following: stored certificate unusable; ${keeping}`);
    }
    if (state.status.source !== null) return;
    const standIn = await selfSignedCertificate([hostname]);
    if (this.closed || this.names.get(hostname) !== state || state.status.source !== null) return;
    state.status.source = 'self-signed';
    this.sink.install(hostname, standIn, 'self-signed');
  }
}
