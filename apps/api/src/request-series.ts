import type { Metric, Registry } from 'prom-client';

export const REQUEST_BUCKETS: readonly number[] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type RequestLabels = { method: string; route: string; status: string };

/** One method, route and status: its requests, their summed seconds and how many fell in each bucket. */
interface Series {
  labels: RequestLabels;
  count: number;
  sum: number;
  /** Per bucket, not cumulative; the last slot is past the largest bound. */
  buckets: number[];
}

interface ExportedValue {
  value: number;
  labels: Record<string, string | number>;
  sharedLabels?: RequestLabels;
  metricName?: string;
  exemplar?: null;
}

/**
 * latchkey_http_requests_total and latchkey_http_request_duration_seconds, counted in one
 * plain record per method, route and status (bounded, as the routes and Node's list of
 * methods are), found by one Map lookup a request. prom-client's Counter.inc and
 * Histogram.observe validate and hash the label set on every call; here the registry
 * turns the records into the same series, values and order only when it is scraped.
 */
export class RequestSeries {
  private readonly series = new Map<string, Series>();

  constructor(
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    for (const metric of this.metrics()) registry.registerMetric(metric);
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let found = this.series.get(key);
    if (found === undefined) {
      found = { labels: { method, route, status: String(status) }, count: 0, sum: 0, buckets: new Array<number>(this.bounds.length + 1).fill(0) };
      this.series.set(key, found);
    }
    found.count += 1;
    found.sum += seconds;
    const { bounds } = this;
    let bucket = 0;
    while (bucket < bounds.length && seconds > bounds[bucket]!) bucket++;
    found.buckets[bucket]! += 1;
  }

  private reset(): void {
    this.series.clear();
  }

  /** The two metrics as the registry reads them: what prom-client's own Counter and Histogram would export. */
  private metrics(): Metric[] {
    const counter = {
      name: 'latchkey_http_requests_total',
      help: 'HTTP requests answered, by method, route and status.',
      type: 'counter',
      aggregator: 'sum',
      get: async () => ({ ...this.describe(counter), values: this.counted() }),
      reset: () => this.reset(),
    };
    const histogram = {
      name: 'latchkey_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route and status.',
      type: 'histogram',
      aggregator: 'sum',
      get: async () => ({ ...this.describe(histogram), values: this.bucketed(histogram.name).map(splayed) }),
      getForPromString: async () => ({ ...this.describe(histogram), values: this.bucketed(histogram.name) }),
      reset: () => this.reset(),
    };
    return [counter, histogram] as unknown as Metric[];
  }

  private describe({ name, help, type, aggregator }: { name: string; help: string; type: string; aggregator: string }) {
    return { name, help, type, aggregator };
  }

  private counted(): ExportedValue[] {
    return [...this.series.values()].map(({ labels, count }) => ({ value: count, labels }));
  }

  // prom-client's layout: each bucket's cumulative count under `le`, then +Inf, _sum and
  // _count, the request's labels as shared labels (written after `le`).
  private bucketed(name: string): ExportedValue[] {
    const values: ExportedValue[] = [];
    for (const { labels, count, sum, buckets } of this.series.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += buckets[i]!;
        values.push({ labels: { le: bound }, sharedLabels: labels, value: cumulative, metricName: `${name}_bucket`, exemplar: null });
      });
      values.push(
        { labels: { le: '+Inf' }, sharedLabels: labels, value: count, metricName: `${name}_bucket`, exemplar: null },
        { labels: {}, sharedLabels: labels, value: sum, metricName: `${name}_sum` },
        { labels: {}, sharedLabels: labels, value: count, metricName: `${name}_count` },
      );
    }
    return values;
  }
}

// What prom-client's Histogram.get() returns: the shared labels folded into each value's own.
function splayed({ sharedLabels, labels, ...value }: ExportedValue): ExportedValue {
  return { ...value, labels: { ...labels, ...sharedLabels } };
}
