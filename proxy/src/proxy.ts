// The proxy as a whole: listeners, the current runtime, reload and graceful shutdown.
import type { AddressInfo } from 'node:net';
import { AcmeFollower } from './acme/acme-follower';
import { AcmeManager, type CertificateAutomation } from './acme/acme-manager';
import { followerChallengeWarning } from './acme/follower-challenge-route';
import type { IssuerOptions } from './acme/acme-issuer';
import type { ChallengeTokens } from './acme/challenge-tokens';
import { adminConfigProblem, AdminConfigError } from './admin/admin-auth';
import { AdminListener } from './admin/admin-listener';
import { checkCacheDirectories } from './cache/disk-check';
import type { AdminControl } from './admin/admin-view';
import { DEFAULT_DRAIN_TIMEOUT } from './config/defaults';
import type { ResolvedAcme, ResolvedConfig } from './config/resolved';
import type { Logger } from './log';
import { Runtime } from './runtime';
import { listenerKey, listenerKind, openListener, type TrafficListener } from './server/listener';
import type { RuntimeSource } from './server/request-handler';
import { HealthMonitor } from './upstream/health/health-monitor';
import { DrainTimers } from './upstream/drain';
import type { StateChange } from './upstream/server-state';
import { chooseUpstreamClient } from './upstream/upstream-client';
import { TlsServices } from './tls/tls-services';

export interface ProxyOptions {
  logger: Logger;
  /** How long in-flight requests may take to finish on shutdown or when a listener is removed. */
  shutdownGraceMs?: number;
  /** acme-client's polling and retry delays (tests shorten them). */
  acmeIssuer?: IssuerOptions;
}

export interface BoundAddress {
  name: string;
  host: string;
  port: number;
  /** Traffic listeners: https for TLS ones. */
  scheme?: 'http' | 'https';
}

export class PorticoProxy implements RuntimeSource {
  runtime: Runtime;
  private readonly listeners = new Map<string, TrafficListener>();
  /** Active health checks of the current runtime's upstreams. */
  private readonly health: HealthMonitor;
  private admin: AdminListener | null = null;
  private readonly startedAt = Date.now();
  private readonly drains: DrainTimers;
  /** ACME certificates and OCSP stapling, shared by the TLS listeners and kept across reloads. */
  private readonly tls: TlsServices;
  /** Automatic certificates (ordered here, or followed); null while the config has no `acme`. */
  private acme: CertificateAutomation | null = null;
  /** Read by plain listeners on every request: a null check when ACME is off. */
  acmeChallenges: ChallengeTokens | null = null;

  private constructor(
    config: ResolvedConfig,
    private readonly options: ProxyOptions,
  ) {
    const log = options.logger;
    chooseUpstreamClient(config.upstreamClient, log); // once per start: the pools below use it
    this.runtime = Runtime.build(config, undefined, log);
    // One line per transition, never one per failed request.
    this.runtime.registry.book.observe((c: StateChange) => {
      const fields = { upstream: c.upstream, server: c.server, from: c.from, to: c.to, cause: c.cause, reason: c.reason };
      if (c.to === 'up') log.info(fields, 'upstream server back in service');
      else log.warn(fields, `upstream server ${c.to}`);
    });
    this.tls = new TlsServices(log);
    this.health = new HealthMonitor(log);
    this.health.sync(this.runtime.registry);
    this.runtime.registry.book.observeOverrides((d) => log.warn(d, 'admin change dropped: the config file wins'));
    this.drains = new DrainTimers(
      this.runtime.registry.book,
      (upstream) => this.runtime.registry.upstreams.get(upstream)?.config.drainTimeout ?? DEFAULT_DRAIN_TIMEOUT,
    );
  }

  static async start(config: ResolvedConfig, options: ProxyOptions): Promise<PorticoProxy> {
    checkAdminConfig(config);
    await checkCacheDirectories(config);
    const proxy = new PorticoProxy(config, options);
    proxy.warnIfChallengesUnrouted();
    try {
      // Before the listeners: a TLS listener with acme opens with the stored certificates or stand-ins.
      if (config.acme !== null) await proxy.startAcme(config.acme);
      await proxy.syncListeners(config);
      proxy.swapAdmin(config, await proxy.openAdmin(config));
    } catch (err) {
      await proxy.close(0);
      throw err;
    }
    return proxy;
  }

  /** Where each listener is bound (the real port when the config said 0). */
  addresses(): BoundAddress[] {
    return [...this.listeners.values()].map(({ name, server, kind }) => {
      const a = server.address() as AddressInfo;
      return { name, host: a.address, port: a.port, scheme: kind === 'http' ? 'http' : 'https' };
    });
  }

  /** Where the admin listener is bound; null when the config has no `admin`. */
  adminAddress(): BoundAddress | null {
    return this.admin === null ? null : { name: 'admin', ...this.admin.address() };
  }

  /**
   * Applies a new, already validated config. Listeners are opened first: if one cannot bind, the
   * reload fails and the running config stays in force. So does an admin listener that would be
   * open without a token where one is required.
   */
  async reload(config: ResolvedConfig): Promise<void> {
    checkAdminConfig(config);
    await checkCacheDirectories(config);
    const base = this.runtime;
    let next = Runtime.build(config, base);
    let admin: AdminListener | null = null;
    const acmeBefore = this.acme;
    try {
      // ACME turned on: its certificates exist before a TLS listener with acme is built.
      if (acmeBefore === null && config.acme !== null) await this.startAcme(config.acme);
      admin = await this.openAdmin(config);
      await this.syncListeners(config);
    } catch (err) {
      if (acmeBefore === null) this.stopAcme();
      await admin?.close(0);
      next.caches.retire(this.runtime.caches); // zones this refused config opened
      throw err;
    }
    // An admin change (add, remove, weight) while the listeners opened rebuilt the running
    // upstreams: build on those, or the change is silently undone.
    if (this.runtime !== base) {
      const stale = next;
      next = Runtime.build(config, this.runtime);
      void stale.registry.retire(next.registry);
      stale.caches.retire(this.runtime.caches);
    }
    this.swapAdmin(config, admin);
    if (acmeBefore !== null) void this.reconfigureAcme(acmeBefore, config.acme);
    const previous = this.runtime;
    this.runtime = next;
    this.warnIfChallengesUnrouted();
    this.health.sync(next.registry);
    this.drains.sync(); // the new config's drainTimeout
    void previous.registry.retire(next.registry);
    previous.caches.retire(next.caches);
  }

  async close(graceMs = this.options.shutdownGraceMs ?? 10_000): Promise<void> {
    this.acme?.close();
    this.health.close();
    for (const record of this.runtime.registry.book.all()) record.stopSlowStart();
    this.drains.close();
    this.runtime.caches.close();
    const listeners = [...this.listeners.values()];
    this.listeners.clear();
    const admin = this.admin;
    this.admin = null;
    await Promise.all([...listeners.map((l) => l.close(graceMs)), admin?.close(graceMs)]);
    await Promise.all(this.runtime.registry.allServers().map((s) => s.destroy()));
    this.tls.close();
  }

  private async startAcme(settings: ResolvedAcme): Promise<void> {
    const log = this.options.logger;
    const automation = settings.mode === 'follow' ? new AcmeFollower(settings, this.tls.acme, log) : new AcmeManager(settings, this.tls.acme, log, this.options.acmeIssuer);
    this.acme = automation;
    // A follower answers no challenge: its plain listeners route them (to the proxy that orders).
    this.acmeChallenges = automation.tokens;
    await automation.start();
  }

  /** A follower's config that would not route challenges to the ordering proxy: one warning line. */
  private warnIfChallengesUnrouted(): void {
    const warning = followerChallengeWarning(this.runtime.config, this.runtime.router);
    if (warning !== null) this.options.logger.warn({ hostnames: warning.hostnames }, warning.message);
  }

  private stopAcme(): void {
    this.acme?.close();
    this.acme = null;
    this.acmeChallenges = null;
    this.tls.acme.clear();
  }

  /**
   * A reload of a running ACME: names added are adopted, names dropped leave; no `acme`: stopped.
   * A new mode replaces the automation; the certificates served stay until the new one installs its own.
   */
  private async reconfigureAcme(running: CertificateAutomation, settings: ResolvedAcme | null): Promise<void> {
    if (settings === null) return this.stopAcme();
    try {
      if (settings.mode === running.mode) return await running.reconfigure(settings);
      running.close();
      await this.startAcme(settings);
      const wanted = new Set(settings.hostnames);
      for (const c of this.tls.acme.all()) if (!wanted.has(c.hostname)) this.tls.acme.remove(c.hostname);
    } catch (err) {
      this.options.logger.error({ err: (err as Error).message }, 'acme: reconfiguring failed');
    }
  }

  /** An admin change (add, remove, weight): the upstreams rebuilt from the running config and the overrides. */
  private applyServerChanges(): void {
    const previous = this.runtime;
    this.runtime = Runtime.build(previous.config, previous);
    this.health.sync(this.runtime.registry); // an added server is checked (and starts checking when mandatory)
    this.drains.sync(); // a removed server's drain timer goes
    void previous.registry.retire(this.runtime.registry);
    previous.caches.retire(this.runtime.caches);
  }

  private adminControl(): AdminControl {
    return {
      book: this.runtime.registry.book,
      runtime: () => this.runtime,
      startedAt: this.startedAt,
      acme: () => this.acme?.status() ?? null,
      log: this.options.logger,
      applyServerChanges: () => this.applyServerChanges(),
    };
  }

  /** A new admin listener when `config.admin` cannot stay on the running one; null otherwise. */
  private async openAdmin(config: ResolvedConfig): Promise<AdminListener | null> {
    if (config.admin === null || this.admin?.serves(config.admin)) return null;
    return AdminListener.open(config.admin, config.timeouts, this.adminControl());
  }

  /** Moves to `opened` (closing the old listener), or keeps the running one with the new settings. */
  private swapAdmin(config: ResolvedConfig, opened: AdminListener | null): void {
    const running = this.admin;
    if (opened === null && running !== null && config.admin !== null) return running.update(config.admin);
    this.admin = opened;
    if (running !== null) void running.close(this.options.shutdownGraceMs ?? 10_000);
    if (opened !== null) {
      const a = opened.address();
      this.options.logger.info({ address: `${a.host}:${a.port}` }, 'admin listener open');
    }
  }

  private async syncListeners(config: ResolvedConfig): Promise<void> {
    const wanted = new Map(config.listeners.map((l) => [listenerKey(l), l]));
    const kept = new Map<string, () => void>();
    const opened: [string, TrafficListener][] = [];
    try {
      for (const [key, l] of wanted) {
        const running = this.listeners.get(key);
        if (running) {
          // Certificates are built here: a listener that cannot take the new config fails the
          // reload before anything changed.
          if (running.kind !== listenerKind(l)) throw new Error(`listener ${key}: cannot change from ${running.kind} to ${listenerKind(l)} on reload; restart the proxy`);
          kept.set(key, running.prepare(l, config.timeouts));
          continue;
        }
        const listener = await openListener(l, config.timeouts, this, this.options.logger, this.tls);
        // Keyed by the bound address, so a later config naming the port a `port: 0` got matches it.
        const bound = listenerKey({ host: l.host, port: (listener.server.address() as AddressInfo).port });
        opened.push([bound, listener]);
      }
    } catch (err) {
      await Promise.all(opened.map(([, l]) => l.close(0)));
      throw err;
    }
    for (const [key, l] of this.listeners) {
      const apply = kept.get(key);
      if (apply === undefined) {
        this.listeners.delete(key);
        void l.close(this.options.shutdownGraceMs ?? 10_000);
      } else {
        apply();
      }
    }
    for (const [key, l] of opened) this.listeners.set(key, l);
  }
}

/** Refuses an admin listener that would be open without a token where one is required. */
function checkAdminConfig(config: ResolvedConfig): void {
  const problem = config.admin === null ? null : adminConfigProblem(config.admin);
  if (problem !== null) throw new AdminConfigError(problem);
}
