// The instance's lifecycle as a balancer sees it through /readyz:
// starting (not yet ready) -> ready -> stopping (draining; never ready again).

export type LifecycleState = 'starting' | 'ready' | 'stopping';

export class Lifecycle {
  #state: LifecycleState = 'starting';

  get state(): LifecycleState {
    return this.#state;
  }

  get ready(): boolean {
    return this.#state === 'ready';
  }

  /** starting -> ready; ignored once stopping (a late warm-up timer must not revive a draining instance). */
  markReady(): boolean {
    if (this.#state !== 'starting') return false;
    this.#state = 'ready';
    return true;
  }

  markStopping(): void {
    this.#state = 'stopping';
  }
}
