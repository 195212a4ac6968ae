// The proxy as a whole: listeners, the current runtime, reload and graceful shutdown.
import type { AddressInfo } from 'node:net';
import { adminConfigProblem, AdminConfigError } from './admin/admin-auth';
import { AdminListener } from './admin/admin-listener';
import type { AdminControl } from './admin/admin-view';
import { DEFAULT_DRAIN_TIMEOUT } from './config/defaults';
import type { ResolvedConfig } from './config/resolved';
import type { Logger } from './log';
import { Runtime } from './runtime';
import { listenerKey, listenerKind, openListener, type TrafficListener } from './server/listener';
import type { RuntimeSource } from './server/request-handler';
import { HealthMonitor } from './upstream/health/health-monitor';
import { DrainTimers } from './upstream/drain';
import type { StateChange } from './upstream/server-state';
import { chooseUpstreamClient } from './upstream/upstream-client';

export interface ProxyOptions {
  logger: Logger;
  /** How long in-flight requests may take to finish on shutdown or when a listener is removed. */
  shutdownGraceMs?: number;
}

export interface BoundAddress {
  name: string;
  host: string;
  port: number;
}

export class PorticoProxy implements RuntimeSource {
  runtime: Runtime;
  private readonly listeners = new Map<string, TrafficListener>();
  /** Active health checks of the current runtime's upstreams. */
  private readonly health: HealthMonitor;
  private admin: AdminListener | null = null;
  private readonly startedAt = Date.now();
  private readonly drains: DrainTimers;

  private constructor(
    config: ResolvedConfig,
    private readonly options: ProxyOptions,
  ) {
    const log = options.logger;
    chooseUpstreamClient(config.upstreamClient, log); // once per start: the pools below use it
    this.runtime = Runtime.build(config);
    // One line per transition, never one per failed request.
    this.runtime.registry.book.observe((c: StateChange) => {
      const fields = { upstream: c.upstream, server: c.server, from: c.from, to: c.to, cause: c.cause, reason: c.reason };
      if (c.to === 'up') log.info(fields, 'upstream server back in service');
      else log.warn(fields, `upstream server ${c.to}`);
    });
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
    const proxy = new PorticoProxy(config, options);
    try {
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
    return [...this.listeners.values()].map(({ name, server }) => {
      const a = server.address() as AddressInfo;
      return { name, host: a.address, port: a.port };
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
    const base = this.runtime;
    let next = Runtime.build(config, base);
    const admin = await this.openAdmin(config);
    try {
      await this.syncListeners(config);
    } catch (err) {
      await admin?.close(0);
      throw err;
    }
    // An admin change (add, remove, weight) while the listeners opened rebuilt the running
    // upstreams: build on those, or the change is silently undone.
    if (this.runtime !== base) {
      const stale = next;
      next = Runtime.build(config, this.runtime);
      void stale.registry.retire(next.registry);
    }
    this.swapAdmin(config, admin);
    const previous = this.runtime;
    this.runtime = next;
    this.health.sync(next.registry);
    this.drains.sync(); // the new config's drainTimeout
    void previous.registry.retire(next.registry);
  }

  async close(graceMs = this.options.shutdownGraceMs ?? 10_000): Promise<void> {
    this.health.close();
    for (const record of this.runtime.registry.book.all()) record.stopSlowStart();
    this.drains.close();
    const listeners = [...this.listeners.values()];
    this.listeners.clear();
    const admin = this.admin;
    this.admin = null;
    await Promise.all([...listeners.map((l) => l.close(graceMs)), admin?.close(graceMs)]);
    await Promise.all(this.runtime.registry.allServers().map((s) => s.destroy()));
  }

  /** An admin change (add, remove, weight): the upstreams rebuilt from the running config and the overrides. */
  private applyServerChanges(): void {
    const previous = this.runtime;
    this.runtime = Runtime.build(previous.config, previous);
    this.health.sync(this.runtime.registry); // an added server is checked (and starts checking when mandatory)
    this.drains.sync(); // a removed server's drain timer goes
    void previous.registry.retire(this.runtime.registry);
  }

  private adminControl(): AdminControl {
    return {
      book: this.runtime.registry.book,
      runtime: () => this.runtime,
      startedAt: this.startedAt,
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
        const listener = await openListener(l, config.timeouts, this, this.options.logger);
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
