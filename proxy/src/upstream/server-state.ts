// The state of one upstream server: a small union and one transition function. Balancers ask one
// question (is it available?); health checks, passive failures, drain and config change it here,
// and observers hear of a change once, when it happens (not once per failed request).
import type { Tunnel } from '../server/tunnels';
import { ServerStats } from './server-stats';
import { SlowStart } from './slow-start';

/**
 * - up: takes requests.
 * - down: marked down in config (NGINX `down`).
 * - unavailable: passive health took it out until `unavailableUntil` (NGINX max_fails/fail_timeout).
 * - draining: only requests already bound to it still reach it; health results cannot undo it.
 * - checking: waits for a first passing active check (NGINX `mandatory`).
 * - unhealthy: failed active checks.
 */
export type ServerState = 'up' | 'down' | 'unavailable' | 'draining' | 'checking' | 'unhealthy';

/** Who asks for a change: decides what may override what. */
export type StateCause = 'config' | 'admin' | 'passive' | 'active' | 'recovered';

export interface StateChange {
  upstream: string;
  server: string;
  from: ServerState;
  to: ServerState;
  cause: StateCause;
  reason: string;
}

export type StateObserver = (change: StateChange) => void;

/** The last active health check of a server, for the status API and the dashboard. */
export interface CheckResult {
  /** Epoch ms when the check ended. */
  at: number;
  ok: boolean;
  /** The status the server answered, or null when it did not answer (refused, timeout). */
  status: number | null;
  /** Why it failed ('' when it passed): "status 503", "body does not match", "timeout after 2000ms". */
  reason: string;
  durationMs: number;
}

/** Whether `cause` may move a server from `from` to `to`. */
export function allowedTransition(from: ServerState, to: ServerState, cause: StateCause): boolean {
  if (from === to) return false;
  // Draining and config-down are left only by whoever set them (an operator or a new config).
  if (from === 'draining' || from === 'down') return cause === 'config' || cause === 'admin';
  // Passive failures take out only a server in service; they never end a check or a drain.
  if (cause === 'passive') return from === 'up' && to === 'unavailable';
  if (cause === 'recovered') return from === 'unavailable' && to === 'up';
  return true;
}

/**
 * What one server is, kept across reloads by the ServerBook (not by the UpstreamServer, which a
 * reload may replace): state, passive-failure counters, in-flight requests and open tunnels.
 */
export class ServerRecord {
  state: ServerState = 'up';
  /** When an unavailable server may be tried again (epoch ms). */
  unavailableUntil = 0;
  /** Passive health: failures counted since `firstFailAt`. */
  fails = 0;
  firstFailAt = 0;
  /** Requests (and tunnels) claimed and not yet finished: least-conn, maxConns, drain. */
  active = 0;
  /** The nominal weight: the configured one (or an operator's). */
  weight: number;
  /** The weight balancers use: `weight`, except while slow start ramps it. */
  effectiveWeight: number;
  /** Slow start (ms) after a recovery from unhealthy or unavailable; 0: none. Set from config. */
  slowStart = 0;
  private ramp: SlowStart | null = null;
  /** Open WebSocket (and other Upgrade) tunnels to this server: drain and shutdown close them. */
  readonly tunnels = new Set<Tunnel>();
  /** The last active health check, or null before the first (or without checks). */
  lastCheck: CheckResult | null = null;
  /** Counters for the status API and metrics. */
  readonly stats = new ServerStats();
  /** Who set it draining (config or admin), so a reload undoes only a drain that config set. */
  drainedBy: StateCause | null = null;
  /** Resolvers of whenDrained(), while someone waits. */
  private drainWaiters: ((drained: boolean) => void)[] | null = null;

  constructor(
    readonly upstream: string,
    readonly id: string,
    weight: number,
    private readonly notify: StateObserver,
  ) {
    this.weight = weight;
    this.effectiveWeight = weight;
  }

  /** Sets the nominal weight; a slow start in progress ramps towards it. */
  setWeight(weight: number): void {
    this.weight = weight;
    if (this.ramp === null || !this.ramp.ramping) this.effectiveWeight = weight;
  }

  /** Ramps the effective weight up over `slowStart` ms (nothing when slow start is off). */
  startSlowStart(): void {
    if (this.slowStart <= 0) return;
    this.ramp ??= new SlowStart(this);
    this.ramp.start(this.slowStart);
  }

  /** Ends a ramp at once (state change, removal, shutdown): its timer stops. */
  stopSlowStart(): void {
    if (this.ramp !== null && this.ramp.ramping) this.ramp.stop();
  }

  /** The one transition function: applies the change if allowed; true when the state changed. */
  transition(to: ServerState, cause: StateCause, reason: string): boolean {
    const from = this.state;
    if (!allowedTransition(from, to, cause)) return false;
    this.state = to;
    if (to !== 'unavailable') this.unavailableUntil = 0;
    this.stopSlowStart();
    // NGINX slow_start: after unhealthy or unavailable, not at first start or after an operator's up.
    if (to === 'up' && (from === 'unhealthy' || from === 'unavailable')) this.startSlowStart();
    this.drainedBy = to === 'draining' ? cause : null;
    if (from === 'draining') this.wakeDrainWaiters(false);
    this.notify({ upstream: this.upstream, server: this.id, from, to, cause, reason });
    return true;
  }

  /** Draining with nothing left on it (no request in flight, no tunnel): safe to stop. */
  isDrained(): boolean {
    return this.state === 'draining' && this.active === 0 && this.tunnels.size === 0;
  }

  /** Resolves true once the server is drained (e.g. for a deploy), false if it leaves draining first. */
  whenDrained(): Promise<boolean> {
    if (this.state !== 'draining') return Promise.resolve(false);
    if (this.isDrained()) return Promise.resolve(true);
    return new Promise((resolve) => (this.drainWaiters ??= []).push(resolve));
  }

  /** Nothing is in flight any more: wakes whenDrained() if the server is drained. */
  settleDrain(): void {
    if (this.drainWaiters !== null && this.isDrained()) this.wakeDrainWaiters(true);
  }

  private wakeDrainWaiters(drained: boolean): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = null;
    if (waiters !== null) for (const resolve of waiters) resolve(drained);
  }

  /** Whether a new request may be sent here now (maxConns aside). */
  isInService(now: number): boolean {
    const state = this.state;
    if (state === 'up') return true;
    if (state !== 'unavailable' || now < this.unavailableUntil) return false;
    // fail_timeout over: back in service (NGINX tries it again with the next request).
    this.fails = 0;
    return this.transition('up', 'recovered', 'fail timeout elapsed');
  }
}
