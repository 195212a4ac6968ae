// The proxy as a whole: listeners, the current runtime, reload and graceful shutdown.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResolvedConfig } from './config/resolved';
import type { ExchangeObserver } from './forward/exchange';
import type { Logger } from './log';
import { Runtime } from './runtime';
import { chooseUpstreamClient } from './upstream/upstream-client';
import { closeListener, listenerKey, openListener, type ListenerHandlers } from './server/listener';
import { createRequestHandler, createUpgradeHandler, type RuntimeSource } from './server/request-handler';

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
  private readonly listeners = new Map<string, { name: string; server: Server }>();
  private readonly observer: ExchangeObserver;
  private readonly handlers: ListenerHandlers;

  private constructor(
    config: ResolvedConfig,
    private readonly options: ProxyOptions,
  ) {
    const log = options.logger;
    chooseUpstreamClient(config.upstreamClient, log); // once per start: the pools below use it
    this.runtime = Runtime.build(config);
    this.observer = {
      serverFailed: (server, error) =>
        log.warn({ server: server.id, error: error.message, until: new Date(server.unavailableUntil).toISOString() }, 'upstream server marked unavailable'),
    };
    this.handlers = {
      request: createRequestHandler(this, 'http', this.observer),
      upgrade: createUpgradeHandler(this, 'http', this.observer),
    };
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
    void previous.registry.retire(next.registry);
  }

  async close(graceMs = this.options.shutdownGraceMs ?? 10_000): Promise<void> {
    const servers = [...this.listeners.values()].map((l) => l.server);
    this.listeners.clear();
    await Promise.all(servers.map((s) => closeListener(s, graceMs)));
    await Promise.all(this.runtime.registry.allServers().map((s) => s.destroy()));
  }

  private async syncListeners(config: ResolvedConfig): Promise<void> {
    const wanted = new Map(config.listeners.map((l) => [listenerKey(l), l]));
    const kept = new Set<string>();
    const opened: [string, { name: string; server: Server }][] = [];
    try {
      for (const [key, l] of wanted) {
        if (this.listeners.has(key)) {
          kept.add(key);
          continue;
        }
        const server = await openListener(l, config.timeouts, this.handlers);
        // Keyed by the bound address, so a later config naming the port a `port: 0` got matches it.
        const bound = listenerKey({ host: l.host, port: (server.address() as AddressInfo).port });
        opened.push([bound, { name: l.name, server }]);
      }
    } catch (err) {
      await Promise.all(opened.map(([, l]) => closeListener(l.server, 0)));
      throw err;
    }
    for (const [key, l] of this.listeners) {
      if (!kept.has(key)) {
        this.listeners.delete(key);
        void closeListener(l.server, this.options.shutdownGraceMs ?? 10_000);
      }
    }
    for (const [key, l] of opened) this.listeners.set(key, l);
  }
}
