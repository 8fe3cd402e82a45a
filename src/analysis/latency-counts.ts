/** A latency histogram as the counts per distinct value the latency bootstrap resamples. */
import type { LatencyHistogram } from '../metrics/index.js';
import type { LatencyCounts } from './stats-run-bootstrap.js';

/**
 * Every recorded value of `histogram` (µs, its bucket's highest equivalent value, as
 * getValueAtPercentile reports it) with its count, ascending.
 */
export function latencyCountsOf(histogram: LatencyHistogram): LatencyCounts {
  const valuesUs: number[] = [];
  const counts: number[] = [];
  const iterator = histogram.recordedValuesIterator;
  iterator.reset();
  while (iterator.hasNext()) {
    const step = iterator.next();
    valuesUs.push(step.valueIteratedTo);
    counts.push(step.countAtValueIteratedTo);
  }
  return { valuesUs, counts };
}
