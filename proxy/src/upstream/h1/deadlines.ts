// One coarse timer for every upstream connection's timeout. Re-arming a timeout per request phase
// is then a field write, where socket.setTimeout() allocated and inserted a timer each time (three
// per request). Deadlines fire up to TICK_MS late, never early.

export interface Expirable {
  /** Epoch ms after which `expire` is called; 0 when no timeout is armed. */
  deadline: number;
  expire(): void;
}

const TICK_MS = 50;

class DeadlineSweeper {
  private readonly watched = new Set<Expirable>();
  private timer: NodeJS.Timeout | null = null;

  watch(item: Expirable): void {
    this.watched.add(item);
    if (this.timer === null) {
      this.timer = setInterval(() => this.sweep(), TICK_MS);
      this.timer.unref();
    }
  }

  unwatch(item: Expirable): void {
    this.watched.delete(item);
    if (this.watched.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const item of this.watched) {
      if (item.deadline !== 0 && item.deadline <= now) {
        item.deadline = 0;
        item.expire();
      }
    }
  }
}

export const deadlines = new DeadlineSweeper();

/** The deadline `ms` from now, or 0 (none) for a 0 timeout. */
export function deadlineIn(ms: number): number {
  return ms > 0 ? Date.now() + ms : 0;
}
