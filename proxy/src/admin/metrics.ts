// Prometheus metrics (prom-client), read from the server book on each scrape. (Stub: filled in by
// the metrics change.)
import type { AdminView } from './admin-view';

export interface MetricsEndpoint {
  readonly contentType: string;
  render(): Promise<string>;
}

export function createMetrics(view: AdminView): MetricsEndpoint {
  void view;
  return { contentType: 'text/plain; version=0.0.4; charset=utf-8', render: async () => '' };
}
