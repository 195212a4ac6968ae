// Slow start (NGINX Plus `slow_start`): a server back in service after being unhealthy or
// unavailable gets its weight back linearly, from near 0 to nominal, so a cold process is not hit
// with its full share at once. A timer steps `effectiveWeight` while the ramp lasts and stops after,
// so balancers keep reading a plain number on the hot path.

/** The weights a ramp moves: the nominal one (config or an operator) and the one balancers read. */
export interface RampedWeights {
  weight: number;
  effectiveWeight: number;
}

/** Steps per ramp: fine enough for a smooth share, few enough to cost nothing. */
const STEPS = 20;
const MIN_STEP_MS = 10;
const MAX_STEP_MS = 1_000;

export class SlowStart {
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private duration = 0;
  private step = 0;

  constructor(private readonly weights: RampedWeights) {}

  get ramping(): boolean {
    return this.timer !== null;
  }

  /** Starts (or restarts) a ramp over `durationMs`; the weight starts at one step's share. */
  start(durationMs: number, now = Date.now()): void {
    this.stop();
    this.startedAt = now;
    this.duration = durationMs;
    this.step = Math.min(MAX_STEP_MS, Math.max(MIN_STEP_MS, durationMs / STEPS));
    this.update(now);
    if (this.timer === null && this.weights.effectiveWeight !== this.weights.weight) {
      this.timer = setInterval(this.tick, this.step);
      this.timer.unref();
    }
  }

  /** Ends a ramp (done, a state change, removal, shutdown): the nominal weight applies again. */
  stop(): void {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
    this.weights.effectiveWeight = this.weights.weight;
  }

  private readonly tick = () => this.update(Date.now());

  private update(now: number): void {
    const elapsed = now - this.startedAt;
    if (elapsed >= this.duration) {
      this.stop();
      return;
    }
    // Never 0: least-conn divides by the weight, and a lone candidate must still be picked.
    const share = Math.min(this.duration, Math.max(elapsed, this.step)) / this.duration;
    this.weights.effectiveWeight = this.weights.weight * share;
  }
}
