// NGINX send_timeout for HTTP/2 answers written whole (H2Downstream.end): the streams whose answer
// was handed to node:http2 but not yet taken by the client, checked by one coarse sweep per
// listener instead of a timer per response (setTimeout + clearTimeout were ~1.3% of an h2
// request's CPU here; a Set add + delete is a tenth of that). A stream whose unsent bytes did not
// shrink for its whole limit is reset: up to one tick late, never early. The interval runs while
// answers are pending and stops at the first sweep that finds none.

/** What the sweep asks of a pending answer. */
export interface PendingSend {
  /** Checks progress at `now`; true when the answer is done with (sent, reset or closed). */
  sendSwept(now: number): boolean;
}

export class H2SendSweeper {
  private readonly pending = new Set<PendingSend>();
  private timer: NodeJS.Timeout | null = null;
  private tickMs = 1000;

  /** The listener's send timeout (set again on reload): ticks are a quarter of it, within 25 ms..1 s. */
  setLimit(ms: number): void {
    const tick = ms > 0 ? Math.max(25, Math.min(1000, Math.floor(ms / 4))) : 1000;
    if (tick === this.tickMs) return;
    this.tickMs = tick;
    if (this.timer !== null) {
      this.stop();
      this.start();
    }
  }

  watch(send: PendingSend): void {
    this.pending.add(send);
    if (this.timer === null) this.start();
  }

  forget(send: PendingSend): void {
    this.pending.delete(send);
  }

  private start(): void {
    this.timer = setInterval(sweep, this.tickMs, this);
    this.timer.unref();
  }

  private stop(): void {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** One pass (module-level `sweep` calls it: no closure per interval). */
  sweep(): void {
    if (this.pending.size === 0) {
      this.stop();
      return;
    }
    const now = Date.now();
    for (const send of this.pending) if (send.sendSwept(now)) this.pending.delete(send);
  }
}

function sweep(sweeper: H2SendSweeper): void {
  sweeper.sweep();
}
