// Counters of one upstream server (and of one route), kept with its record so they outlive
// reloads. Plain numbers bumped on the hot path; the status API, the metrics and the dashboard read
// them on demand (nothing is computed per request beyond an increment and a bucket search).

/** Latency bucket upper bounds in seconds (Prometheus `le`), fine enough for percentiles. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

/** A fixed-bucket histogram of durations: counts per bucket (the last one is +Inf) and the sum. */
export class LatencyHistogram {
  readonly counts = new Float64Array(LATENCY_BUCKETS.length + 1);
  count = 0;
  /** Seconds. */
  sum = 0;

  observe(ms: number): void {
    const seconds = ms / 1000;
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]) i++;
    this.counts[i]++;
    this.count++;
    this.sum += seconds;
  }

  /** The q-quantile (0..1) in ms, interpolated inside its bucket; null with no observations. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = q * this.count;
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const n = this.counts[i];
      if (seen + n >= rank && n > 0) {
        const lower = i === 0 ? 0 : LATENCY_BUCKETS[i - 1];
        const upper = i < LATENCY_BUCKETS.length ? LATENCY_BUCKETS[i] : lower * 2;
        return (lower + ((upper - lower) * (rank - seen)) / n) * 1000;
      }
      seen += n;
    }
    return LATENCY_BUCKETS[LATENCY_BUCKETS.length - 1] * 1000;
  }
}

/** What NGINX Plus's API reports per peer, plus tunnels. */
export class ServerStats {
  /** Requests sent (each attempt counts, as NGINX Plus `requests`). */
  requests = 0;
  /** Responses by class: index 0 = 1xx … 4 = 5xx. */
  readonly responses = [0, 0, 0, 0, 0];
  /** Attempts that failed (error, timeout, or a status the retry rules count). */
  failures = 0;
  /** Times the server was taken out of service (passive or active health). */
  unavailableCount = 0;
  /** Body bytes received from the server. */
  bytesReceived = 0;
  /** Upgrades (WebSocket) that became tunnels. */
  tunnelsOpened = 0;
  /** Time to the response head, per response. */
  readonly latency = new LatencyHistogram();

  response(status: number, elapsedMs: number): void {
    const cls = (status / 100) | 0;
    if (cls >= 1 && cls <= 5) this.responses[cls - 1]++;
    this.latency.observe(elapsedMs);
  }
}

/** Per-route counts (routes are rebuilt on reload; their counts are kept by name). */
export class RouteStats {
  requests = 0;
  readonly responses = [0, 0, 0, 0, 0];

  response(status: number): void {
    const cls = (status / 100) | 0;
    if (cls >= 1 && cls <= 5) this.responses[cls - 1]++;
  }
}
