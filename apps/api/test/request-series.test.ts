import { describe, expect, it } from 'vitest';
import { Counter, Histogram, Registry } from 'prom-client';
import { REQUEST_BUCKETS, RequestSeries } from '../src/request-series';

// Bounds themselves, between them, past the largest, and sums that float addition rounds.
const OBSERVED: Array<[string, string, number, number]> = [
  ['GET', '/', 200, 0.0004],
  ['GET', '/', 200, 0.005],
  ['GET', 'unmatched', 404, 0.02],
  ['POST', '/sessions', 401, 0.25],
  ['GET', '/', 200, 12],
  ['GET', '/profile', 200, 0],
  ['GET', '/', 200, 0.1 + 0.2],
  ['POST', '/sessions', 200, 10],
  ['GET', '/', 503, 0.001],
];

function promClientRegistry(): { registry: Registry; observe: (method: string, route: string, status: number, seconds: number) => void } {
  const registry = new Registry();
  const labelNames = ['method', 'route', 'status'] as const;
  const counter = new Counter({ name: 'latchkey_http_requests_total', help: 'HTTP requests answered, by method, route and status.', labelNames, registers: [registry] });
  const histogram = new Histogram({
    name: 'latchkey_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route and status.',
    labelNames,
    buckets: [...REQUEST_BUCKETS],
    registers: [registry],
  });
  return {
    registry,
    observe: (method, route, status, seconds) => {
      const labels = { method, route, status: String(status) };
      counter.inc(labels);
      histogram.observe(labels, seconds);
    },
  };
}

describe('RequestSeries', () => {
  it("exports what prom-client's Counter and Histogram export for the same requests", async () => {
    const ours = new Registry();
    const series = new RequestSeries(REQUEST_BUCKETS, ours);
    const theirs = promClientRegistry();
    expect(await ours.metrics()).toBe(await theirs.registry.metrics());
    for (const [method, route, status, seconds] of OBSERVED) {
      series.observe(method, route, status, seconds);
      theirs.observe(method, route, status, seconds);
    }
    expect(await ours.metrics()).toBe(await theirs.registry.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.registry.getMetricsAsJSON());
    ours.resetMetrics();
    theirs.registry.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.registry.metrics());
  });
});
