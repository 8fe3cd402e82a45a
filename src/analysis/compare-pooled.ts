/**
 * Latency percentiles compared on every request of each side pooled, rather than on one figure
 * per run: a run's p99 rests on its slowest 1% (15 requests in 1,500), while the pooled p99 of five
 * runs rests on all of them, and the two-stage bootstrap (stats-pooled-bootstrap.ts) carries both
 * the run-to-run and the within-run uncertainty into the interval.
 */
import type { MetricId } from './compare-metrics.js';
import { bootstrapBounds, pooledQuantileChanges, type LatencyCounts } from './stats-pooled-bootstrap.js';

/** Each run's latency counts, one entry per run of each side (same order as the results). */
export interface PooledLatencyInput {
  a: readonly LatencyCounts[];
  b: readonly LatencyCounts[];
}

/** What the pooled method found for one latency percentile. */
export interface PooledFigures {
  /** The percentile of all of A's (B's) requests pooled, ms. */
  pooledMs: { a: number; b: number };
  /** The relative change of the pooled percentiles, B vs A (0.1 = +10%). */
  estimate: number;
  /** The two-sided interval at the confidence asked, when the runs allow a finite one. */
  interval?: { low: number; high: number };
  /** One-sided bounds, each at the confidence asked on its own. */
  gateBounds?: { low: number; high: number };
  /** Runs (pairs when paired) the widening counted. */
  runs: number;
}

/** Bootstrap replicates per comparison: enough to reach the widened tail with 5 runs at 95%. */
export const pooledResamples = 4000;

/** The latency metrics the pooled method serves, and their percentile as a fraction. */
export const pooledQuantiles: Readonly<Partial<Record<MetricId, number>>> = {
  p50: 0.5,
  p90: 0.9,
  p99: 0.99,
  p999: 0.999,
};

/** The pooled comparison of every latency percentile; undefined for a side with no requests. */
export function comparePooledLatency(
  input: PooledLatencyInput,
  design: 'unpaired' | 'paired',
  confidence: number,
): Map<MetricId, PooledFigures> | undefined {
  const empty = (runs: readonly LatencyCounts[]) => runs.every((r) => r.counts.every((c) => c === 0));
  if (input.a.length === 0 || input.b.length === 0 || empty(input.a) || empty(input.b)) return undefined;
  const ids = Object.keys(pooledQuantiles) as MetricId[];
  const changes = pooledQuantileChanges({
    a: input.a,
    b: input.b,
    paired: design === 'paired',
    quantiles: ids.map((id) => pooledQuantiles[id] as number),
    resamples: pooledResamples,
    seed: 1,
  });
  const runs = Math.min(input.a.length, input.b.length);
  const out = new Map<MetricId, PooledFigures>();
  ids.forEach((id, i) => {
    const change = changes[i];
    if (change === undefined) return;
    const relative = (x: number) => Math.exp(x) - 1;
    const two = bootstrapBounds(change.replicates, runs, confidence, 'two-sided');
    const lower = bootstrapBounds(change.replicates, runs, confidence, 'lower-bound');
    const upper = bootstrapBounds(change.replicates, runs, confidence, 'upper-bound');
    out.set(id, {
      pooledMs: { a: change.pooledAUs / 1000, b: change.pooledBUs / 1000 },
      estimate: relative(change.estimate),
      runs,
      ...(two === undefined ? {} : { interval: { low: relative(two.low), high: relative(two.high) } }),
      ...(lower === undefined || upper === undefined
        ? {}
        : { gateBounds: { low: relative(lower.low), high: relative(upper.high) } }),
    });
  });
  return out;
}

/**
 * The fewest runs (pairs when paired, else runs on each side) for which the widened bootstrap
 * gives a finite interval (two-sided) or bound (one-sided) at `confidence` from
 * {@link pooledResamples} replicates.
 */
export function pooledMinimumRuns(confidence: number, sides: 'two-sided' | 'one-sided'): number {
  const replicates = new Float64Array(pooledResamples);
  for (let n = 3; n < 100; n++) {
    if (bootstrapBounds(replicates, n, confidence, sides === 'two-sided' ? 'two-sided' : 'lower-bound'))
      return n;
  }
  return 100;
}
