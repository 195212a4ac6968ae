// A Prometheus histogram whose buckets are read, at scrape time, from LatencyHistograms the proxy
// already keeps (prom-client's Histogram can only be fed one observation at a time, which would
// mean a second bucket search per response on the hot path, or replaying every count per scrape).
import type { Metric, Registry } from 'prom-client';
import { LATENCY_BUCKETS, type LatencyHistogram } from '../upstream/server-stats';

type Labels = Record<string, string>;

/** One labelled histogram to expose. */
export interface HistogramSample {
  labels: Labels;
  histogram: LatencyHistogram;
}

interface Value {
  metricName: string;
  labels: Labels;
  value: number;
}

/** prom-client's collector shape (what Registry reads from its own metric classes). */
class CollectedHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly samples: () => Iterable<HistogramSample>,
  ) {}

  async get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: Value[] }> {
    const values: Value[] = [];
    for (const sample of this.samples()) this.push(values, sample);
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Nothing to reset: the numbers belong to the proxy. */
  reset(): void {}

  private push(values: Value[], { labels, histogram }: HistogramSample): void {
    const bucket = `${this.name}_bucket`;
    let cumulative = 0;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      cumulative += histogram.counts[i];
      values.push({ metricName: bucket, labels: { ...labels, le: String(LATENCY_BUCKETS[i]) }, value: cumulative });
    }
    values.push({ metricName: bucket, labels: { ...labels, le: '+Inf' }, value: histogram.count });
    values.push({ metricName: `${this.name}_sum`, labels, value: histogram.sum });
    values.push({ metricName: `${this.name}_count`, labels, value: histogram.count });
  }
}

/** Registers a histogram read from `samples()` on each scrape. */
export function registerHistogram(registry: Registry, name: string, help: string, samples: () => Iterable<HistogramSample>): void {
  // The registry accepts any object of this shape; its typings list only prom-client's classes.
  registry.registerMetric(new CollectedHistogram(name, help, samples) as unknown as Metric);
}
