// The check loop of one server: a check every `interval` (+ up to `jitter`), the first at once,
// never two at a time. `fails` failures in a row make the server unhealthy, `passes` passes in a row
// bring it back up (also out of a passive 'unavailable': it answered). The state union refuses
// changes to draining and down servers; their checks still run and are recorded.
import type { ClientRequest, RequestOptions } from 'node:http';
import type { ResolvedHealthCheck } from '../../config/resolved';
import type { Logger } from '../../log';
import type { CheckResult, ServerRecord } from '../server-state';
import type { UpstreamServer } from '../upstream-server';
import { probe, probeOptions } from './probe';

export class HealthChecker {
  private readonly options: RequestOptions;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: ClientRequest | null = null;
  private inProgress = false;
  private stopped = false;
  private startedAt = 0;
  private passesInRow = 0;
  private failsInRow = 0;
  /** A check failed since the server was last up: its next 'up' is a recovery (slow start). */
  private failedSinceUp = false;

  constructor(
    readonly key: string,
    private readonly record: ServerRecord,
    private readonly check: ResolvedHealthCheck,
    server: UpstreamServer,
    private readonly log: Logger,
  ) {
    this.options = probeOptions(check, server.config);
  }

  start(): void {
    this.schedule(0);
  }

  /** Checks as soon as no check is in flight (a reload put the server back to 'checking'). */
  checkSoon(): void {
    if (this.stopped || this.inProgress) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.schedule(0);
  }

  /** No check starts after this; one in flight is abandoned (its socket destroyed). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.inFlight?.destroy();
    this.inFlight = null;
  }

  private schedule(delay: number): void {
    this.timer = setTimeout(this.run, delay);
    this.timer.unref();
  }

  private readonly run = () => {
    this.timer = null;
    if (this.stopped) return;
    this.inProgress = true;
    this.startedAt = Date.now();
    try {
      const req = probe(this.options, this.check, this.onResult);
      if (this.inProgress) this.inFlight = req;
    } catch (err) {
      // A request node refuses to build (it should not happen after validation) is a failed check.
      const at = Date.now();
      this.onResult({ at, ok: false, status: null, reason: (err as Error).message, durationMs: 0 });
    }
  };

  private readonly onResult = (result: CheckResult) => {
    this.inProgress = false;
    this.inFlight = null;
    if (this.stopped) return;
    try {
      this.apply(result);
    } catch (err) {
      // An observer that throws must not stop the checks (nor crash the process).
      this.log.error({ err, upstream: this.record.upstream, server: this.record.id }, 'health check result not applied');
    }
    const elapsed = Date.now() - this.startedAt;
    const jitter = this.check.jitter > 0 ? Math.random() * this.check.jitter : 0;
    this.schedule(Math.max(0, this.check.interval - elapsed) + jitter);
  };

  private apply(result: CheckResult): void {
    const record = this.record;
    record.lastCheck = result;
    if (result.ok) {
      this.failsInRow = 0;
      this.passesInRow++;
      if (this.passesInRow >= this.check.passes) this.passed();
      return;
    }
    this.passesInRow = 0;
    this.failsInRow++;
    this.failedSinceUp = true;
    if (this.failsInRow >= this.check.fails) this.failed(result.reason);
    else if (this.log.isLevelEnabled('debug')) this.log.debug({ upstream: record.upstream, server: record.id, reason: result.reason }, 'health check failed');
  }

  private passed(): void {
    const record = this.record;
    const from = record.state;
    if (from === 'up') {
      this.failedSinceUp = false;
      return;
    }
    if (from !== 'checking' && from !== 'unhealthy' && from !== 'unavailable') return;
    if (!record.transition('up', 'active', 'health check passed')) return;
    record.fails = 0;
    // unhealthy/unavailable -> up ramps by itself; 'checking' only after failed checks (not at start).
    if (from === 'checking' && this.failedSinceUp) record.startSlowStart();
    this.failedSinceUp = false;
  }

  private failed(reason: string): void {
    const state = this.record.state;
    if (state === 'up' || state === 'unavailable' || state === 'checking') {
      this.record.transition('unhealthy', 'active', `health check failed: ${reason}`);
    }
  }
}
