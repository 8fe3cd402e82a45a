/**
 * Reads named metrics out of a prom-client Registry in-process, as the samples a /metrics
 * scrape would give, without rendering or parsing text and without running the default
 * metrics' collectors (which read /proc and reset prom-client's own event-loop histogram).
 */
import type { Registry } from 'prom-client';
import type { PromSample } from '../../../protocol/index.js';

/** The application and GC series the in-process sampler reads; absent ones are skipped. */
export const sampledMetricNames: readonly string[] = [
  'nodejs_gc_duration_seconds',
  'db_pool_connections',
  'db_pool_waiting',
  'db_pool_acquire_wait_seconds',
  'cache_requests_total',
  'http_requests_in_flight',
  'http_requests_shed_total',
  'recs_breaker_state',
  'recs_retries_total',
  'recs_calls_total',
];

/** The current samples of `names` in `registry` (histograms as _bucket, _sum and _count). */
export async function readRegistrySamples(
  registry: Registry,
  names: readonly string[] = sampledMetricNames,
): Promise<PromSample[]> {
  const out: PromSample[] = [];
  for (const name of names) {
    const metric = registry.getSingleMetric(name);
    if (metric === undefined) continue;
    const { values } = await metric.get();
    for (const v of values) {
      const labels: Record<string, string> = {};
      for (const [key, value] of Object.entries(v.labels)) {
        if (value !== undefined) labels[key] = String(value);
      }
      const sampleName = (v as { metricName?: string }).metricName ?? name;
      out.push({ name: sampleName, labels, value: v.value });
    }
  }
  return out;
}
