// Drain (NGINX Plus `drain`): a draining server gets no new clients (balancers skip it), while
// requests bound to it (sticky) still reach it and what is in flight finishes. Its tunnels stay
// open up to the upstream's drainTimeout, then go away cleanly (WebSocket Close 1001) instead of
// being cut at once (kamal-proxy). This follows the server's state, whoever set it (config or the
// admin API), through the ServerBook's observers; undrain before the timeout cancels it.
import type { ServerBook } from './server-book';
import type { ServerRecord, StateChange } from './server-state';

interface DrainTimer {
  /** When the server began draining (epoch ms). */
  since: number;
  timeout: number;
  timer: NodeJS.Timeout;
}

export class DrainTimers {
  private readonly timers = new Map<ServerRecord, DrainTimer>();
  private readonly unobserve: () => void;

  constructor(
    private readonly book: ServerBook,
    /** The drain timeout of an upstream in the config in force (it may change on reload). */
    private readonly timeoutOf: (upstream: string) => number,
  ) {
    this.unobserve = book.observe((change) => this.onChange(change));
    this.sync();
  }

  /**
   * Times every draining server, after a start or a reload: servers a config set draining before
   * anyone observed, and a drainTimeout the new config changed (counted from the drain's start).
   */
  sync(): void {
    const now = Date.now();
    const records = new Set(this.book.all());
    for (const record of this.timers.keys()) if (!records.has(record) || record.state !== 'draining') this.cancel(record);
    for (const record of records) {
      if (record.state === 'draining') this.schedule(record, this.timers.get(record)?.since ?? now, now);
    }
  }

  close(): void {
    this.unobserve();
    for (const record of [...this.timers.keys()]) this.cancel(record);
  }

  private onChange(change: StateChange): void {
    if (change.to !== 'draining' && change.from !== 'draining') return;
    const record = this.book.find(change.upstream, change.server);
    if (record === undefined) return;
    if (change.to === 'draining') this.schedule(record, Date.now(), Date.now());
    else this.cancel(record);
  }

  private schedule(record: ServerRecord, since: number, now: number): void {
    const timeout = this.timeoutOf(record.upstream);
    const current = this.timers.get(record);
    if (current !== undefined && current.since === since && current.timeout === timeout) return;
    if (current !== undefined) clearTimeout(current.timer);
    this.arm(record, since, timeout, since + timeout - now);
  }

  private arm(record: ServerRecord, since: number, timeout: number, delay: number): void {
    const timer = setTimeout(() => this.expire(record), Math.max(0, delay));
    timer.unref();
    this.timers.set(record, { since, timeout, timer });
  }

  /**
   * A tunnel may stay until `timeout` after the drain began, or after it opened when that was
   * later (a client bound to the server by sticky sessions): those past it go away, and the timer
   * comes back for the rest, or for tunnels still to come while the server drains.
   */
  private expire(record: ServerRecord): void {
    const entry = this.timers.get(record);
    if (entry === undefined || record.state !== 'draining') return;
    const now = Date.now();
    let next = now + entry.timeout;
    for (const tunnel of [...record.tunnels]) {
      const deadline = Math.max(entry.since, tunnel.openedAt) + entry.timeout;
      if (deadline <= now) tunnel.goAway();
      else next = Math.min(next, deadline);
    }
    this.arm(record, entry.since, entry.timeout, next - now);
  }

  private cancel(record: ServerRecord): void {
    const entry = this.timers.get(record);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.timers.delete(record);
  }
}
