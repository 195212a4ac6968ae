// The proxy as a whole: listeners, the current runtime, reload and graceful shutdown.
import type { AddressInfo } from 'node:net';
import { DEFAULT_DRAIN_TIMEOUT } from './config/defaults';
import type { ResolvedConfig } from './config/resolved';
import type { Logger } from './log';
import { Runtime } from './runtime';
import { Listener, listenerKey } from './server/listener';
import type { RuntimeSource } from './server/request-handler';
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
  private readonly listeners = new Map<string, Listener>();
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
    this.drains = new DrainTimers(
      this.runtime.registry.book,
      (upstream) => this.runtime.registry.upstreams.get(upstream)?.config.drainTimeout ?? DEFAULT_DRAIN_TIMEOUT,
    );
  }

  static async start(config: ResolvedConfig, options: ProxyOptions): Promise<PorticoProxy> {
    const proxy = new PorticoProxy(config, options);
    try {
      await proxy.syncListeners(config);
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

  /**
   * Applies a new, already validated config. Listeners are opened first: if one cannot bind, the
   * reload fails and the running config stays in force.
   */
  async reload(config: ResolvedConfig): Promise<void> {
    const next = Runtime.build(config, this.runtime);
    await this.syncListeners(config);
    const previous = this.runtime;
    this.runtime = next;
    this.drains.sync(); // the new config's drainTimeout
    void previous.registry.retire(next.registry);
  }

  async close(graceMs = this.options.shutdownGraceMs ?? 10_000): Promise<void> {
    this.drains.close();
    const listeners = [...this.listeners.values()];
    this.listeners.clear();
    await Promise.all(listeners.map((l) => l.close(graceMs)));
    await Promise.all(this.runtime.registry.allServers().map((s) => s.destroy()));
  }

  private async syncListeners(config: ResolvedConfig): Promise<void> {
    const wanted = new Map(config.listeners.map((l) => [listenerKey(l), l]));
    const kept = new Set<string>();
    const opened: [string, Listener][] = [];
    try {
      for (const [key, l] of wanted) {
        const running = this.listeners.get(key);
        if (running) {
          kept.add(key);
          continue;
        }
        const listener = await Listener.open(l, config.timeouts, this);
        // Keyed by the bound address, so a later config naming the port a `port: 0` got matches it.
        const bound = listenerKey({ host: l.host, port: (listener.server.address() as AddressInfo).port });
        opened.push([bound, listener]);
      }
    } catch (err) {
      await Promise.all(opened.map(([, l]) => l.close(0)));
      throw err;
    }
    for (const [key, l] of this.listeners) {
      if (!kept.has(key)) {
        this.listeners.delete(key);
        void l.close(this.options.shutdownGraceMs ?? 10_000);
      } else {
        l.applyTimeouts(config.timeouts);
      }
    }
    for (const [key, l] of opened) this.listeners.set(key, l);
  }
}
